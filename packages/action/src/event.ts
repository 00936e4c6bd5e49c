import { readFileSync } from 'node:fs';
import { ActionError } from './errors.js';

/** What the gate needs to know about the pull request that triggered it. */
export interface PullRequestInfo {
  number: number;
  baseSha: string;
  headSha: string;
  /** "owner/name" of the base repository: where the comment goes. */
  baseRepository: string;
  /** "owner/name" of the head repository; differs from the base on a fork PR. */
  headRepository: string | null;
  /** A fork PR on a `pull_request` event gets a read-only token: it cannot comment. */
  fromFork: boolean;
}

/** The webhook payload GitHub writes to GITHUB_EVENT_PATH; null when there is none. */
export function readEvent(path: string | undefined): Record<string, unknown> | null {
  if (!path) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new ActionError(
      `cannot read the event payload at GITHUB_EVENT_PATH (${path}): ${(cause as Error).message}. The Actions runner writes it; run the action inside a workflow.`,
      { cause },
    );
  }
}

interface RawPullRequest {
  number?: unknown;
  base?: { sha?: unknown; repo?: { full_name?: unknown } | null };
  head?: { sha?: unknown; repo?: { full_name?: unknown } | null };
}

/** The pull request of a pull_request / pull_request_target event payload; null for other events. */
export function pullRequestOf(event: Record<string, unknown> | null): PullRequestInfo | null {
  const pr = event?.pull_request as RawPullRequest | undefined;
  if (!pr || typeof pr.number !== 'number') return null;
  const baseSha = pr.base?.sha;
  const headSha = pr.head?.sha;
  const baseRepository = pr.base?.repo?.full_name;
  if (
    typeof baseSha !== 'string' ||
    typeof headSha !== 'string' ||
    typeof baseRepository !== 'string'
  ) {
    throw new ActionError(
      'the pull_request event payload lacks base.sha, head.sha or base.repo.full_name; set the inputs base-ref and pr-number explicitly.',
    );
  }
  // A deleted fork has head.repo null: treat it as a fork (its token is read-only too).
  const head = pr.head?.repo?.full_name;
  const headRepository = typeof head === 'string' ? head : null;
  return {
    number: pr.number,
    baseSha,
    headSha,
    baseRepository,
    headRepository,
    fromFork: headRepository !== baseRepository,
  };
}
