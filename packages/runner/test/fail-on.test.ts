import { describe, expect, it } from 'vitest';
import { FAIL_ON_MODES, failureKind } from '../src/gate/policy.js';

describe('failureKind: the one fail-on rule of the CLI and the Action', () => {
  const at = (verdict: 'pass' | 'regression' | 'inconclusive' | 'failed') => ({ verdict });

  it('fails a run that could not measure under every mode', () => {
    for (const mode of FAIL_ON_MODES) expect(failureKind(at('failed'), mode)).toBe('failed');
  });

  it('fails a regression unless the mode is never, and an inconclusive run only when asked', () => {
    expect(failureKind(at('regression'), 'regression')).toBe('regression');
    expect(failureKind(at('regression'), 'never')).toBeNull();
    expect(failureKind(at('inconclusive'), 'regression')).toBeNull();
    expect(failureKind(at('inconclusive'), 'regression-or-inconclusive')).toBe('inconclusive');
    expect(failureKind(at('pass'), 'regression-or-inconclusive')).toBeNull();
  });
});
