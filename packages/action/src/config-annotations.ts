/**
 * Config problems as annotations on the config file itself, so each shows
 * on its line in the pull request's "Files changed" view and checks page.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { AnnotationProperties } from '@actions/core';
import type { ConfigError } from '@vggt-perf-gate/runner';

/**
 * Emits one error annotation per problem of a config error, at its line and
 * column, with the file relative to the repository root (GITHUB_WORKSPACE),
 * as GitHub matches annotations to files.
 *
 * @param emit `core.error`, or anything of its shape
 */
export function annotateConfigError(
  error: ConfigError,
  repositoryRoot: string,
  emit: (message: string, properties: AnnotationProperties) => void,
): void {
  for (const problem of error.problems) {
    emit(problem.message, {
      title: problem.path === '' ? 'perf gate config' : `perf gate config: ${problem.path}`,
      file: workspacePath(problem.file, repositoryRoot),
      startLine: problem.line,
      startColumn: problem.column,
    });
  }
}

/** GitHub wants a path relative to the repository root; one outside it stays as it is. */
function workspacePath(file: string, root: string): string {
  const inside = relative(root, resolve(file));
  return inside.startsWith('..') || isAbsolute(inside) ? file : inside;
}
