import * as z from 'zod';
import { ConfigFileSchema } from './schema.js';

/**
 * JSON Schema (draft 2020-12) of `perf-gate.yml`, generated from the same zod
 * schema the loader validates with, so editors (yaml-language-server) check
 * exactly what the gate checks. Describes the file as written: keys with
 * defaults are optional. Rules across fields (unique names) are not in it.
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ConfigFileSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
  }) as Record<string, unknown>;
}
