import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { STARTER_CONFIG } from './example.js';
import { parseConfig } from './parse.js';
import type { GateConfig } from './types.js';

/** Where every key is documented, for messages that send a person to read more. */
const DOCS_HINT = 'See docs/config.md for every key.';

/**
 * Reads, validates and resolves a config file. A relative path is read from
 * the current directory. A missing file's error includes a minimal config to
 * start from.
 *
 * @param path the file, as the user gave it (problems name it this way)
 * @throws ConfigError when the file is missing, unreadable or invalid
 * @example
 * import { loadConfig } from '@vggt-perf-gate/runner';
 * const config = await loadConfig('perf-gate.yml');
 * console.log(config.benchmarks.map((b) => `${b.name}: ${b.metrics.join(', ')}`).join('\n'));
 */
export async function loadConfig(path: string): Promise<GateConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw unreadable(path, cause);
  }
  return parseConfig(text, path);
}

function unreadable(path: string, cause: unknown): ConfigError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const problem = { file: path, line: 1, column: 1, path: '' };
  if (code === 'ENOENT') {
    return new ConfigError(
      [
        {
          ...problem,
          message: `config file not found (looked for ${resolve(path)}); create it or pass the right path`,
        },
      ],
      { cause, detail: `A minimal ${path}:\n\n${STARTER_CONFIG}\n${DOCS_HINT}` },
    );
  }
  if (code === 'EISDIR') {
    const message = `is a directory; pass the config file itself, e.g. ${join(path, 'perf-gate.yml')}`;
    return new ConfigError([{ ...problem, message }], { cause });
  }
  const reason = cause instanceof Error ? cause.message : String(cause);
  const message = `cannot read the config file (${reason}); check that it exists and is readable by this user`;
  return new ConfigError([{ ...problem, message }], { cause });
}
