import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { functionLengths, MAX_FUNCTION_LINES } from '../../../scripts/function-lengths.mjs';

describe('the source', () => {
  it(`has no function over ${MAX_FUNCTION_LINES} lines (bindings tables excepted)`, () => {
    const all = functionLengths(fileURLToPath(new URL('..', import.meta.url)));
    expect(all.length).toBeGreaterThan(10); // the scan finds functions at all
    expect(all.filter((f) => f.lines > MAX_FUNCTION_LINES && !f.allowed)).toEqual([]);
  });
});
