import type { GateVerdict } from '@vggt-perf-gate/runner';
import {
  type GitHubApi,
  GitHubApiError,
  type IssueComment,
  outcomeUnknown,
  type PrRef,
  shortReason,
} from './github-api.js';
import type { CommentMode } from './inputs.js';

/**
 * One sticky comment per key: found again by a hidden marker in its body,
 * updated in place, created when missing. Matrix shards or several configs
 * use different keys, so each owns one comment.
 */
export function commentMarker(key: string): string {
  return `<!-- vggt-perf-gate:comment:${key} -->`;
}

/** What happened to the comment. */
export type CommentOutcome =
  | { action: 'created' | 'updated'; url: string }
  | { action: 'unchanged'; url: string }
  | { action: 'skipped'; reason: string };

/**
 * Authors whose comments are never taken for ours, marker or not: anyone can
 * paste the marker into a comment, and editing theirs (or failing to) would
 * hijack the report. Bots (the job token's github-actions[bot], an app) and
 * the repository's members and collaborators (a personal token) are trusted.
 */
const UNTRUSTED_ASSOCIATIONS = new Set([
  'NONE',
  'FIRST_TIMER',
  'FIRST_TIME_CONTRIBUTOR',
  'CONTRIBUTOR',
  'MANNEQUIN',
]);
/** Tries to create the comment when a failed POST leaves unknown whether it was created. */
const CREATE_ATTEMPTS = 3;

function isOurs(c: IssueComment, marker: string): boolean {
  if (!c.body?.includes(marker)) return false;
  if (c.user?.type === 'Bot') return true;
  return !UNTRUSTED_ASSOCIATIONS.has(c.author_association ?? 'NONE');
}

/**
 * Creates or updates the PR comment for `options.key`. A create that fails
 * with its outcome unknown (no answer, a 5xx) is checked for before it is
 * sent again, so a slow GitHub does not get the report twice.
 */
export async function upsertComment(
  api: GitHubApi,
  pr: PrRef,
  options: { key: string; body: string; mode: CommentMode; verdict: GateVerdict },
  log: (line: string) => void = () => undefined,
): Promise<CommentOutcome> {
  if (options.mode === 'never') return { action: 'skipped', reason: 'comment: never' };
  const marker = commentMarker(options.key);
  const body = options.body.includes(marker) ? options.body : `${marker}\n${options.body}`;
  // Every page: on a busy PR the comment can be far down the list.
  const existing = (await api.listComments(pr)).find((c) => isOurs(c, marker));
  if (existing) {
    if (existing.body === body) return { action: 'unchanged', url: existing.html_url };
    const updated = await api.updateComment(pr, existing.id, body);
    return { action: 'updated', url: updated.html_url };
  }
  if (options.mode === 'on-change' && options.verdict === 'pass') {
    return {
      action: 'skipped',
      reason:
        'comment: on-change, and the verdict is a clean pass with no earlier comment to update',
    };
  }
  // Tries actually made, over all the POSTs: the message must not say fewer.
  let tried = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const created = await api.createComment(pr, body);
      return { action: 'created', url: created.html_url };
    } catch (error) {
      tried += error instanceof GitHubApiError ? error.details.attempts : 1;
      if (!outcomeUnknown(error) || attempt >= CREATE_ATTEMPTS) throw withTotal(error, tried);
      // The POST may have gone through: look before posting again, or it may be there twice.
      const landed = (await lookAgain(api, pr)).find((c) => isOurs(c, marker));
      if (landed) return { action: 'created', url: landed.html_url };
      log(
        `creating the PR comment got no clear answer (${shortReason((error as GitHubApiError).details.failure)}) and it is not there; posting again (try ${attempt + 1} of ${CREATE_ATTEMPTS})`,
      );
    }
  }
}

/** The list after a create with no clear answer; when it fails, its message says the comment may be there. */
async function lookAgain(api: GitHubApi, pr: PrRef): Promise<IssueComment[]> {
  try {
    return await api.listComments(pr);
  } catch (error) {
    if (!(error instanceof GitHubApiError)) throw error;
    throw new GitHubApiError(
      {
        ...error.details,
        note: 'It was looking for the comment after a create that got no clear answer, so the comment may have been posted.',
      },
      { cause: error.cause },
    );
  }
}

/** The last create's error, told with every try made to create the comment. */
function withTotal(error: unknown, tried: number): unknown {
  if (!(error instanceof GitHubApiError) || tried === error.details.attempts) return error;
  return new GitHubApiError(
    {
      ...error.details,
      attempts: tried,
      note: 'Before each new try the pull request was checked for the comment, and it was not there.',
    },
    { cause: error.cause },
  );
}
