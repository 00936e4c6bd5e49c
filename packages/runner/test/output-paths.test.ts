import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkOutputPaths,
  explainWriteError,
  OutputPathError,
  type OutputTarget,
  pathInside,
  writeOutputFile,
} from '../src/results/output-paths.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'perf-gate-output-paths-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function checkError(target: OutputTarget): Promise<OutputPathError> {
  const error = await checkOutputPaths([target]).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OutputPathError);
  return error as OutputPathError;
}

/** Root may write anywhere: permission cases cannot fail for it. */
const isRoot = process.getuid?.() === 0;

describe('checkOutputPaths', () => {
  it('accepts a new file in an existing directory and leaves no probe behind', async () => {
    await checkOutputPaths([
      { path: join(dir, 'results.json'), setBy: '--results', format: 'results' },
    ]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('accepts missing parent directories, and removes the ones it made to probe', async () => {
    await checkOutputPaths([
      { path: join(dir, 'a', 'b', 'report.md'), setBy: '--markdown', format: 'markdown' },
    ]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps a directory that already existed', async () => {
    await mkdir(join(dir, 'out'));
    await checkOutputPaths([
      { path: join(dir, 'out', 'new', 'r.md'), setBy: '--markdown', format: 'markdown' },
    ]);
    expect(await readdir(dir)).toEqual(['out']);
    expect(await readdir(join(dir, 'out'))).toEqual([]);
  });

  it('a path under a regular file is ENOTDIR, naming the file in the way', async () => {
    await writeFile(join(dir, 'perf-gate.yml'), 'version: 1\n');
    const path = join(dir, 'perf-gate.yml', 'x.json');
    const error = await checkError({ path, setBy: '--results', format: 'results' });
    expect(error.reason).toBe('ENOTDIR');
    expect(error.setBy).toBe('--results');
    expect(error.path).toBe(path);
    expect(error.message).toContain(`cannot write --results ${path}:`);
    expect(error.message).toContain(
      `${join(dir, 'perf-gate.yml')} is a file, not a directory (ENOTDIR)`,
    );
    expect(error.message).toContain('Choose a path whose parent is a directory');
    expect(error.message).toContain('nothing was run');
  });

  it('a path deeper under a file is found as well', async () => {
    await writeFile(join(dir, 'file'), '');
    const error = await checkError({
      path: join(dir, 'file', 'a', 'b.md'),
      setBy: '--html',
      format: 'html',
    });
    expect(error.reason).toBe('ENOTDIR');
    expect(error.message).toContain(`${join(dir, 'file')} is a file`);
  });

  it('a directory is EISDIR, with a file name to add', async () => {
    const error = await checkError({ path: dir, setBy: '--results', format: 'results' });
    expect(error.reason).toBe('EISDIR');
    expect(error.message).toContain(`e.g. ${join(dir, 'perf-gate-results.json')}`);
  });

  it('checks every path and reports the first that cannot be written', async () => {
    await writeFile(join(dir, 'file'), '');
    const error = await checkOutputPaths([
      { path: join(dir, 'ok.json'), setBy: '--results', format: 'results' },
      { path: join(dir, 'file', 'r.md'), setBy: '--markdown', format: 'markdown' },
      { path: dir, setBy: '--html', format: 'html' },
    ]).catch((caught: unknown) => caught);
    expect((error as OutputPathError).setBy).toBe('--markdown');
  });

  it('a report may go to a device such as /dev/null; the results file may not', async () => {
    await checkOutputPaths([{ path: '/dev/null', setBy: '--markdown', format: 'markdown' }]);
    const error = await checkError({ path: '/dev/null', setBy: '--results', format: 'results' });
    expect(error.message).toContain('not a regular file');
    expect(existsSync('/dev/null')).toBe(true);
  });

  it.skipIf(isRoot)('a directory this user may not write in is EACCES, naming it', async () => {
    const locked = join(dir, 'locked');
    await mkdir(locked, { mode: 0o500 });
    const error = await checkError({
      path: join(locked, 'sub', 'r.json'),
      setBy: '--results',
      format: 'results',
    });
    expect(error.reason).toBe('EACCES');
    expect(error.message).toContain(`this user may not write in ${locked} (EACCES)`);
  });

  it.skipIf(isRoot)(
    'an existing read-only report is refused (root may write it anyway)',
    async () => {
      const path = join(dir, 'report.md');
      await writeFile(path, 'old');
      await chmod(path, 0o444);
      const error = await checkError({ path, setBy: '--markdown', format: 'markdown' });
      expect(error.reason).toBe('EACCES');
      expect(error.message).toContain('chmod u+w');
    },
  );

  // A full disk at check time needs a small file system to fill (a tmpfs mount),
  // which a test cannot make without privileges; the words for ENOSPC are checked
  // below on a real ENOSPC, from /dev/full.
  it.skip('a full disk is found by the probe (needs a file system to fill: not possible here)', () => {});
});

describe('two outputs on one file', () => {
  it('are refused before anything is probed, naming both flags', async () => {
    const error = await checkOutputPaths([
      { path: join(dir, 'out.json'), setBy: '--results', format: 'results' },
      { path: join(dir, 'out.json'), setBy: '--markdown', format: 'markdown' },
    ]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OutputPathError);
    expect((error as OutputPathError).message).toBe(
      `cannot write --markdown ${join(dir, 'out.json')}: it is the same file as --results ${join(dir, 'out.json')}, so one would overwrite the other. Give --markdown and --results different paths. (Checked before measuring: nothing was run.)`,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('are found through another spelling and through a link to the directory', async () => {
    await mkdir(join(dir, 'real'));
    await symlink(join(dir, 'real'), join(dir, 'link'));
    const error = await checkOutputPaths([
      { path: join(dir, 'real', 'r.json'), setBy: 'input "results-path"', format: 'results' },
      {
        path: join(dir, 'real', '.', 'x', '..', 'r.json'),
        setBy: '--markdown',
        format: 'markdown',
      },
    ]).catch((caught: unknown) => caught);
    expect((error as OutputPathError).message).toContain(
      'it is the same file as input "results-path"',
    );
    const linked = await checkOutputPaths([
      { path: join(dir, 'real', 'r.html'), setBy: '--markdown', format: 'markdown' },
      { path: join(dir, 'link', 'r.html'), setBy: '--html', format: 'html' },
    ]).catch((caught: unknown) => caught);
    expect((linked as OutputPathError).message).toContain(
      `cannot write --html ${join(dir, 'link', 'r.html')}: it is the same file as --markdown`,
    );
  });

  it('a device may take several reports: /dev/null is not overwritten', async () => {
    await checkOutputPaths([
      { path: '/dev/null', setBy: '--markdown', format: 'markdown' },
      { path: '/dev/null', setBy: '--html', format: 'html' },
    ]);
  });
});

describe('pathInside', () => {
  it('gives the path relative to the directory when it lies inside', () => {
    expect(pathInside('/repo', '/repo/ci/perf-gate.yml')).toBe('ci/perf-gate.yml');
    expect(pathInside('/repo', '/repo')).toBe('');
  });

  it('a name that only starts with two dots is inside', () => {
    expect(pathInside('/repo', '/repo/..cache/x')).toBe('..cache/x');
    expect(pathInside('/repo', '/repo/...')).toBe('...');
  });

  it('the parent, and anything beside or above it, is outside', () => {
    expect(pathInside('/repo', '/')).toBeNull();
    expect(pathInside('/repo/a', '/repo')).toBeNull();
    expect(pathInside('/repo', '/repo-other/x')).toBeNull();
    expect(pathInside('/repo', '/repo/../etc/passwd')).toBeNull();
  });
});

describe('explainWriteError', () => {
  it('explains a real ENOSPC (a write to /dev/full) as a full disk, with what to do', async () => {
    const cause = await writeFile('/dev/full', 'x').catch((caught: unknown) => caught);
    expect((cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
    const failure = await explainWriteError(cause, join(dir, 'results.json'));
    expect(failure.code).toBe('ENOSPC');
    expect(failure.why).toBe(`the disk holding ${dir} is full (no space left, ENOSPC)`);
    expect(failure.fix).toContain('Free some space');
  });

  it('explains a write under a file, from the error the writer saw', async () => {
    await writeFile(join(dir, 'out'), '');
    const path = join(dir, 'out', 'report.md');
    const cause = await writeOutputFile(path, 'x').catch((caught: unknown) => caught);
    const failure = await explainWriteError(cause, path);
    expect(failure.why).toBe(`${join(dir, 'out')} is a file, not a directory (ENOTDIR)`);
  });
});

describe('writeOutputFile', () => {
  it('creates the directory the check removed again', async () => {
    const path = join(dir, 'reports', 'report.md');
    await checkOutputPaths([{ path, setBy: '--markdown', format: 'markdown' }]);
    await writeOutputFile(path, 'hello');
    expect(await readdir(join(dir, 'reports'))).toEqual(['report.md']);
  });
});
