import type { FieldType, FieldValue } from '../../devices/model.js';

/** InfluxDB line protocol, escaped per https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/ */

export interface Point {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  /** Nanoseconds since the epoch, fixed at ingest so a replay rewrites the same point. */
  timeNs: bigint;
}

// Most names and values need no escaping: test first, so the hot path allocates nothing.
const MEASUREMENT_SPECIALS = /[\\, \n]/;
const KEY_SPECIALS = /[\\,= \n]/;
const STRING_SPECIALS = /[\\"\n]/;
const escapeMeasurement = (s: string) => (MEASUREMENT_SPECIALS.test(s) ? s.replace(/[\\, \n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : s);
const escapeKey = (s: string) => (KEY_SPECIALS.test(s) ? s.replace(/[\\,= \n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : s);
const escapeString = (s: string) => (STRING_SPECIALS.test(s) ? s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n') : s);

function formatField(value: FieldValue, type: FieldType | undefined): string | undefined {
  const effective = type ?? (typeof value === 'number' ? 'float' : typeof value === 'boolean' ? 'boolean' : 'string');
  switch (effective) {
    case 'integer':
      return typeof value === 'number' && Number.isFinite(value) ? `${Math.trunc(value)}i` : undefined;
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? (value ? 'true' : 'false') : undefined;
    case 'string':
      return `"${escapeString(String(value))}"`;
  }
}

/**
 * Encodes one point. Tags are sorted (InfluxDB's own order, cheapest to
 * index); empty tag values are dropped (the protocol forbids them); a field
 * whose value does not fit its declared type is dropped rather than allowed to
 * cause a type conflict that would refuse the whole line.
 */
export function encodePoint(point: Point, fieldTypes: Readonly<Record<string, FieldType>> = {}): string | undefined {
  let line = escapeMeasurement(point.measurement);
  for (const key of Object.keys(point.tags).sort()) {
    const value = point.tags[key]!;
    if (value !== '') line += `,${escapeKey(key)}=${escapeKey(value)}`;
  }
  let separator = ' ';
  for (const key in point.fields) {
    const formatted = formatField(point.fields[key]!, fieldTypes[key]);
    if (formatted === undefined) continue;
    line += `${separator}${escapeKey(key)}=${formatted}`;
    separator = ',';
  }
  if (separator === ' ') return undefined;
  return `${line} ${point.timeNs}`;
}
