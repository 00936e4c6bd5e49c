import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const client = fileURLToPath(new URL('../../../clients/python', import.meta.url));

describe('the Python client, its own unit tests (stdlib unittest, no torch)', () => {
  it('passes clients/python/tests', () => {
    const r = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'tests', '-v'], {
      cwd: client,
      encoding: 'utf8',
      timeout: 60_000,
    });
    // unittest reports on stderr; show it when something fails.
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Ran [1-9]\d* tests?/);
    expect(r.stderr).toMatch(/\nOK\n?/);
  });
});
