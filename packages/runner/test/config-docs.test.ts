import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { parseConfig } from '../src/config/index.js';

const DOCS = fileURLToPath(new URL('../../../docs/config.md', import.meta.url));

/** Every complete config in the reference (a yaml block starting a file) must be valid. */
test('the configs in docs/config.md are valid', () => {
  const blocks = [...readFileSync(DOCS, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((match) => match[1] ?? '')
    .filter((block) => /^version: 1$/m.test(block));
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  for (const block of blocks) {
    expect(() => parseConfig(block, 'docs/config.md')).not.toThrow();
  }
});
