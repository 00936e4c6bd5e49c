/**
 * Finds the zod schema that validated a given place in the config, so a
 * problem can list the keys allowed there or quote a field's example.
 */
import * as z from 'zod';
import type { PathSegment } from './locate.js';

/** The schema at `path`, following the raw data through unions; undefined when the path leaves the schema. */
export function schemaAt(
  root: z.ZodType,
  data: unknown,
  path: readonly PathSegment[],
): z.ZodType | undefined {
  let schema: z.ZodType | undefined = root;
  let value = data;
  for (const segment of path) {
    schema = chooseOption(unwrap(schema), value);
    value =
      isRecord(value) || Array.isArray(value)
        ? (value as Record<PathSegment, unknown>)[segment]
        : undefined;
    if (schema instanceof z.ZodObject) schema = schema.shape[segment] as z.ZodType | undefined;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else return undefined;
    if (schema === undefined) return undefined;
  }
  return chooseOption(unwrap(schema), value);
}

/** The keys an object schema allows, in declaration order; empty when it is not an object. */
export function allowedKeys(schema: z.ZodType | undefined): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** The first example (or else the default) a schema's metadata gives, for "e.g." hints. */
export function exampleOf(schema: z.ZodType | undefined): unknown {
  if (schema === undefined) return undefined;
  const meta = unwrap(schema).meta() ?? schema.meta();
  if (meta === undefined) return undefined;
  if (Array.isArray(meta.examples) && meta.examples.length > 0) return meta.examples[0];
  return meta.default;
}

/** Strips optional wrappers, which carry no shape of their own. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/**
 * For a union, the option the value was meant for: by discriminator for a
 * discriminated union, else the option of the value's own kind (a mapping
 * for `setup: {base: ...}`, a list for `command: [...]`).
 */
function chooseOption(schema: z.ZodType, value: unknown): z.ZodType {
  if (!(schema instanceof z.ZodUnion)) return schema;
  const options = schema.options as readonly z.ZodType[];
  const discriminator = (schema._zod.def as { discriminator?: string }).discriminator;
  if (discriminator !== undefined && isRecord(value)) {
    const tag = value[discriminator];
    for (const option of options) {
      const field = option instanceof z.ZodObject ? option.shape[discriminator] : undefined;
      if (field instanceof z.ZodLiteral && field.values.has(tag as never)) return option;
    }
    return schema;
  }
  for (const option of options) {
    const inner = unwrap(option);
    if (isRecord(value) && inner instanceof z.ZodObject) return inner;
    if (Array.isArray(value) && inner instanceof z.ZodArray) return inner;
    if (typeof value === 'string' && inner instanceof z.ZodString) return inner;
  }
  return schema;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
