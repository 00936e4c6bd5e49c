import * as z from 'zod';
import { ConfigFileSchema } from './schema.js';

/**
 * JSON Schema (draft 2020-12) of `perf-gate.yml`, generated from the same zod
 * schema the loader validates with, so editors (yaml-language-server) check
 * exactly what the gate checks. Describes the file as written: keys with
 * defaults are optional. Rules across fields (unique names) are not in it.
 * The package ships it as `schema/perf-gate.schema.json`.
 *
 * @example
 * import { writeFile } from 'node:fs/promises';
 * import { configJsonSchema } from '@vggt-perf-gate/runner';
 * await writeFile('perf-gate.schema.json', `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
 * // then, first line of perf-gate.yml: # yaml-language-server: $schema=./perf-gate.schema.json
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ConfigFileSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
  }) as Record<string, unknown>;
}
