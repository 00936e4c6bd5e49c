import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { apiDocProblems } from '../../../scripts/api-docs.mjs';

describe('the public API', () => {
  it('documents every export, with an @example on each function and class', () => {
    expect(apiDocProblems(fileURLToPath(new URL('..', import.meta.url)))).toEqual([]);
  });
});
