import type { GateVerdict } from '@vggt-perf-gate/runner';
import type { GitHubApi, PrRef } from './github-api.js';
import type { CommentMode } from './inputs.js';

/**
 * One sticky comment per key: found again by a hidden marker in its body,
 * updated in place, created when missing. Matrix shards or several configs
 * use different keys, so each owns one comment.
 */
export function commentMarker(key: string): string {
  return `<!-- vggt-perf-gate:comment:${key} -->`;
}

export type CommentOutcome =
  | { action: 'created' | 'updated'; url: string }
  | { action: 'unchanged'; url: string }
  | { action: 'skipped'; reason: string };

export async function upsertComment(
  api: GitHubApi,
  pr: PrRef,
  options: { key: string; body: string; mode: CommentMode; verdict: GateVerdict },
): Promise<CommentOutcome> {
  if (options.mode === 'never') return { action: 'skipped', reason: 'comment: never' };
  const marker = commentMarker(options.key);
  const body = options.body.includes(marker) ? options.body : `${marker}\n${options.body}`;
  // Every page: on a busy PR the comment can be far down the list.
  const existing = (await api.listComments(pr)).find((c) => c.body?.includes(marker));
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
  const created = await api.createComment(pr, body);
  return { action: 'created', url: created.html_url };
}
