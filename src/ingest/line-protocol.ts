import type { FieldType, FieldValue } from '../../devices/model.js';

/** InfluxDB line protocol, escaped per https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/ */

export interface Point {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  /** Nanoseconds since the epoch, fixed at ingest so a replay rewrites the same point. */
  timeNs: bigint;
}

const escapeMeasurement = (s: string) => s.replace(/[\\, \n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
const escapeKey = (s: string) => s.replace(/[\\,= \n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
const escapeString = (s: string) => s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');

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
  const tags = Object.keys(point.tags)
    .filter((key) => point.tags[key] !== '')
    .sort()
    .map((key) => `,${escapeKey(key)}=${escapeKey(point.tags[key]!)}`)
    .join('');
  const fields: string[] = [];
  for (const [key, value] of Object.entries(point.fields)) {
    const formatted = formatField(value, fieldTypes[key]);
    if (formatted !== undefined) fields.push(`${escapeKey(key)}=${formatted}`);
  }
  if (fields.length === 0) return undefined;
  return `${escapeMeasurement(point.measurement)}${tags} ${fields.join(',')} ${point.timeNs}`;
}
