import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { configJsonSchema } from '../src/config/index.js';

/**
 * The committed JSON Schema must equal the generated one. To regenerate after
 * changing src/config/schema.ts:
 *   UPDATE_CONFIG_SCHEMA=1 npx vitest run test/config-schema
 */
const SCHEMA_FILE = fileURLToPath(new URL('../schema/perf-gate.schema.json', import.meta.url));
const UPDATE = process.env.UPDATE_CONFIG_SCHEMA === '1';

describe('configJsonSchema', () => {
  test('matches the committed schema/perf-gate.schema.json', () => {
    const generated = configJsonSchema();
    if (UPDATE) writeFileSync(SCHEMA_FILE, `${JSON.stringify(generated, null, 2)}\n`);
    // Compared as data, not text, so reformatting the file (Biome) is not drift.
    const committed: unknown = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    expect(
      committed,
      'regenerate with UPDATE_CONFIG_SCHEMA=1 npx vitest run test/config-schema',
    ).toEqual(generated);
  });

  test('describes the file as written: required keys, kinds and defaults', () => {
    const schema = configJsonSchema() as {
      required: string[];
      additionalProperties: boolean;
      properties: { benchmarks: { items: { properties: Record<string, unknown> } } };
    };
    expect(schema.required).toEqual(['version', 'benchmarks']);
    expect(schema.additionalProperties).toBe(false);
    const benchmark = schema.properties.benchmarks.items.properties;
    expect(JSON.stringify(benchmark.workload)).toContain('"const":"samples"');
    expect(benchmark.dtype).toMatchObject({
      enum: ['auto', 'fp32', 'fp16', 'bf16'],
      default: 'auto',
    });
  });
});
