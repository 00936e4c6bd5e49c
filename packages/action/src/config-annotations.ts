/**
 * Config problems as annotations on the config file itself, so each shows
 * on its line in the pull request's "Files changed" view and checks page.
 */
import type { AnnotationProperties } from '@actions/core';
import { type ConfigError, pathInside } from '@vggt-perf-gate/runner';

/**
 * Emits one error annotation per problem of a config error, at its line and
 * column, with the file relative to the repository root (GITHUB_WORKSPACE),
 * as GitHub matches annotations to files; a file outside it stays as it is.
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
      file: pathInside(repositoryRoot, problem.file) || problem.file,
      startLine: problem.line,
      startColumn: problem.column,
    });
  }
}
