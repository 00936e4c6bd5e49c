import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import {
  DEFAULT_SAMPLES_TIMEOUT_SECONDS,
  DEFAULT_SETUP_TIMEOUT_SECONDS,
  DEFAULT_WORKER_STARTUP_TIMEOUT_SECONDS,
} from '../src/config/defaults.js';
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

/** Each document that states a time limit's default states the code's. */
test('the docs give the time limits the defaults the code has', () => {
  const read = (path: string) =>
    readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), 'utf8');
  const row = (key: string) =>
    new RegExp(`^\\| \`${key}\` +\\|[^|]+\\| \`([^\`]+)\``, 'm').exec(read('docs/config.md'))?.[1];
  expect(row('startupTimeoutSeconds')).toBe(String(DEFAULT_WORKER_STARTUP_TIMEOUT_SECONDS));
  expect(row('setupTimeoutSeconds')).toBe(String(DEFAULT_SETUP_TIMEOUT_SECONDS));
  expect(row('timeoutSeconds')).toBe(String(DEFAULT_SAMPLES_TIMEOUT_SECONDS));
  const startup = `\`startupTimeoutSeconds\` (default ${DEFAULT_WORKER_STARTUP_TIMEOUT_SECONDS} s)`;
  expect(read('docs/worker-protocol.md')).toContain(startup);
  expect(read('clients/python/README.md').replace(/\s+/g, ' ')).toContain(startup);
  for (const doc of ['docs/config.md', 'docs/worker-protocol.md', 'clients/python/README.md'])
    expect(read(doc)).not.toMatch(/startupTimeoutMs` \(default|default run timeout/);
});
