import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

export interface ActionRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/**
 * Starts the bundled action exactly as the Actions runner starts a node24
 * action: `node <dir>/index.js` with inputs as INPUT_<NAME> variables, the
 * event payload at GITHUB_EVENT_PATH, and the GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files; GITHUB_API_URL points at the fake server.
 */
export async function runAction(options: {
  bundleDir: string;
  apiUrl: string;
  inputs: Record<string, string>;
  event?: string | Record<string, unknown>;
  eventName?: string;
  workspace: string;
  env?: Record<string, string>;
}): Promise<ActionRun> {
  const home = mkdtempSync(join(tmpdir(), 'perf-gate-action-run-'));
  const outputFile = join(home, 'output');
  const summaryFile = join(home, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const eventPath = join(home, 'event.json');
  const event = options.event ?? 'pull_request.synchronize.json';
  writeFileSync(
    eventPath,
    typeof event === 'string' ? readFileSync(join(FIXTURES, event), 'utf8') : JSON.stringify(event),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PYTHONPATH: process.env.PYTHONPATH,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName ?? 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'org/app',
    GITHUB_RUN_ID: '7001',
    GITHUB_WORKSPACE: options.workspace,
    RUNNER_TEMP: home,
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const child = spawn(process.execPath, [join(options.bundleDir, 'index.js')], {
    cwd: options.workspace,
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
  };
}

/** GITHUB_OUTPUT's `name<<DELIMITER ... DELIMITER` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i]?.match(/^([^<=]+)<<(.+)$/);
    if (!m) continue;
    const [, name, delimiter] = m as unknown as [string, string, string];
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] as string);
    out[name] = value.join('\n');
  }
  return out;
}
