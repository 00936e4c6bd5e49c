import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VERSION as DEVICE_VERSION } from '../../device/src/version.js';
import { VERSION } from '../src/version.js';

const manifest = (pkg: string) =>
  JSON.parse(readFileSync(new URL(`../../${pkg}/package.json`, import.meta.url), 'utf8')) as {
    version: string;
  };
/** The bins as npm links them: node_modules/.bin of the repository. */
const bin = (name: string) =>
  fileURLToPath(new URL(`../../../node_modules/.bin/${name}`, import.meta.url));

describe('versions and the bins', () => {
  it('the code reports the version package.json has (scripts/sync-versions.mjs writes it)', () => {
    expect(VERSION).toBe(manifest('runner').version);
    expect(DEVICE_VERSION).toBe(manifest('device').version);
  });

  it('each bin runs as npx runs it, straight after a build: run bit set, --version answers', () => {
    for (const [name, version] of [
      ['vggt-perf-gate', VERSION],
      ['vggt-perf-gate-probe', DEVICE_VERSION],
    ] as const) {
      expect(statSync(bin(name)).mode & 0o111, `${name} is executable`).not.toBe(0);
      const run = spawnSync(bin(name), ['--version'], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.stdout.trim()).toBe(version);
      expect(run.status).toBe(0);
    }
  });
});
