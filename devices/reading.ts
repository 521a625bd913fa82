import type { FieldType, MeasurementSpec, Reading } from './model.js';

type ValueOf<T> = T extends 'boolean' ? boolean : T extends 'string' ? string : T extends FieldType ? number : never;

export type FieldsOf<S extends MeasurementSpec> = { [K in keyof S['fields']]?: ValueOf<S['fields'][K]> | undefined };
export type TagsOf<S extends MeasurementSpec> = { [K in S['tags'][number]]?: string | undefined };

/**
 * A reading of a declared measurement. The types only admit that
 * measurement's tags and fields with their declared types, so a codec cannot
 * write a field the spec (and InfluxDB) does not expect. Absent optional
 * values are left out rather than written as empty.
 */
export function reading<S extends MeasurementSpec>(
  spec: S,
  event: string,
  parts: { ts?: number | undefined; tags?: TagsOf<S>; fields: FieldsOf<S> },
): Reading {
  return {
    measurement: spec.name,
    event,
    ...(parts.ts !== undefined ? { ts: parts.ts } : {}),
    tags: defined(parts.tags ?? {}) as Record<string, string>,
    fields: defined(parts.fields) as Record<string, number | boolean | string>,
  };
}

function defined(values: Record<string, unknown>): Record<string, unknown> {
  // Runs for every reading of every message: a plain loop, not entries/filter/fromEntries.
  const kept: Record<string, unknown> = {};
  for (const key in values) {
    const value = values[key];
    if (value !== undefined) kept[key] = value;
  }
  return kept;
}
