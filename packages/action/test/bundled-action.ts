import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, inject } from 'vitest';
import { fakeGitHubPerTest } from './fake-github.js';
import type { FakeGitHub } from './github-server.js';
import { type ActionRun, runAction } from './run-action.js';

/** The job's token the Action is given: it must show nowhere in what the Action prints. */
export const TOKEN = 'ghs_fakeJobToken0123456789abcdefABCDEF';
/** The Action bundled from the current sources (test/bundle.global.ts). */
export const bundleDir = inject('bundleDir');

type RunOptions = Omit<
  Parameters<typeof runAction>[0],
  'bundleDir' | 'apiUrl' | 'workspace' | 'inputs'
> & { apiUrl?: string; workspace?: string; inputs?: Record<string, string> };

export interface BundledAction {
  /** This test's fake GitHub (see fakeGitHubPerTest). */
  readonly github: FakeGitHub;
  /** An empty directory of this test's, made when first asked for and deleted after the test. */
  readonly workspace: string;
  /**
   * The bundled Action, run as the Actions runner runs it: against this
   * test's fake GitHub unless `apiUrl` says otherwise, in `workspace` or
   * else this test's, with TOKEN as input "github-token" unless `inputs`
   * gives one.
   */
  run(options: RunOptions): Promise<ActionRun>;
}

/**
 * What a test of the bundled Action needs, fresh for each test of the file
 * that calls this (at its top level): a fake GitHub and a workspace.
 */
export function bundledActionPerTest(): BundledAction {
  const server = fakeGitHubPerTest(TOKEN);
  let workspace: string | undefined;
  afterEach(() => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
    workspace = undefined;
  });
  const action: BundledAction = {
    get github() {
      return server.github;
    },
    get workspace() {
      workspace ??= mkdtempSync(join(tmpdir(), 'perf-gate-action-ws-'));
      return workspace;
    },
    run({ inputs, ...options }) {
      return runAction({
        bundleDir,
        apiUrl: server.github.url,
        ...options,
        workspace: options.workspace ?? action.workspace,
        inputs: { 'github-token': TOKEN, ...inputs },
      });
    },
  };
  return action;
}
