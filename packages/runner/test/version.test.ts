import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('each bin runs as npx runs it: linked at install (a committed launcher), run bit set, --version answers', () => {
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

  it('before the first build, the launcher says to build instead of a stack trace', () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'perf-gate-unbuilt-')), 'bin');
    mkdirSync(copy);
    copyFileSync(
      fileURLToPath(new URL('../bin/vggt-perf-gate.js', import.meta.url)),
      join(copy, 'cli.js'),
    );
    const run = spawnSync(process.execPath, [join(copy, 'cli.js'), '--version'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('vggt-perf-gate is not built yet: run `npm run build`');
  });
});
