/**
 * The run's files as a workflow artifact, uploaded by the action itself
 * (input `artifact`), so the PR comment can link to the full results and
 * reports. The Actions runtime's credentials (ACTIONS_RUNTIME_TOKEN and the
 * results service's URL) are taken out of the environment before anything
 * of the PR's is run (main.ts, scrubSecrets); they are handed to the
 * artifact client for the upload alone. An upload that fails is a warning:
 * the verdict and the comment stand without the link.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';

/** The runtime variables the artifact client reads from process.env. */
export const ARTIFACT_RUNTIME_VARIABLES = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'] as const;

/** What the artifact client needs, saved before the environment was scrubbed. */
export type ArtifactRuntime = Partial<Record<(typeof ARTIFACT_RUNTIME_VARIABLES)[number], string>>;

/** The runtime variables of `env`, to keep for the upload after scrubSecrets removes them. */
export function saveArtifactRuntime(env: NodeJS.ProcessEnv): ArtifactRuntime {
  const saved: ArtifactRuntime = {};
  for (const name of ARTIFACT_RUNTIME_VARIABLES) if (env[name]) saved[name] = env[name];
  return saved;
}

/** What the upload needs to know. */
export interface ArtifactUpload {
  /** The artifact's name; on a re-run of the job, `-attempt<n>` is added (names are unique in a run). */
  name: string;
  /** Files to put in it (those that do not exist are left out), relative to `root` or absolute. */
  files: ReadonlyArray<string | null>;
  root: string;
  runtime: ArtifactRuntime;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

/**
 * Uploads the files as one artifact and returns its page's URL, or null
 * (with a warning through `warn`) when there is nothing to upload or it fails.
 */
export async function uploadRunFiles(
  upload: ArtifactUpload,
  warn: (line: string) => void,
): Promise<string | null> {
  const files = upload.files
    .filter((f): f is string => f !== null)
    .map((f) => resolve(upload.root, f))
    .filter((f) => existsSync(f));
  if (files.length === 0) {
    warn(`artifact ${upload.name} not uploaded: none of the run's files were written`);
    return null;
  }
  if (!upload.runtime.ACTIONS_RUNTIME_TOKEN || !upload.runtime.ACTIONS_RESULTS_URL) {
    warn(
      `artifact ${upload.name} not uploaded: ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set, so this is not a GitHub Actions job (or a runner too old for artifacts v4).`,
    );
    return null;
  }
  const attempt = Number(upload.env.GITHUB_RUN_ATTEMPT ?? '1');
  const name = attempt > 1 ? `${upload.name}-attempt${attempt}` : upload.name;
  try {
    const { id } = await withRuntime(upload.runtime, () =>
      new DefaultArtifactClient().uploadArtifact(name, files, commonRoot(files)),
    );
    const url = artifactUrl(upload.env, id);
    upload.log(
      `artifact ${name}: ${files.map((f) => relative(upload.root, f)).join(', ')}${url ? ` (${url})` : ''}`,
    );
    return url;
  } catch (error) {
    warn(`artifact ${name} not uploaded: ${(error as Error).message}`);
    return null;
  }
}

/** Runs `upload` with the runtime variables in process.env, and takes them out again after. */
async function withRuntime<T>(runtime: ArtifactRuntime, upload: () => Promise<T>): Promise<T> {
  for (const [name, value] of Object.entries(runtime)) process.env[name] = value;
  try {
    return await upload();
  } finally {
    for (const name of ARTIFACT_RUNTIME_VARIABLES) delete process.env[name];
  }
}

/** The deepest directory holding every file: the artifact keeps their paths below it. */
function commonRoot(files: readonly string[]): string {
  let root = dirname(files[0]!);
  const holds = (dir: string) =>
    files.every((f) => {
      const rel = relative(dir, f);
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
    });
  // dirname of the filesystem root is the root itself: stop there (files on different top-level dirs).
  while (!holds(root) && dirname(root) !== root) root = dirname(root);
  return root;
}

/** The artifact's page on GitHub; null when the run is not known. */
function artifactUrl(env: NodeJS.ProcessEnv, id: number | undefined): string | null {
  if (id === undefined || !env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return null;
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/artifacts/${id}`;
}
