import type { FieldType, MeasurementSpec } from './model.js';

/**
 * The measurements devices write, built from small field groups the way
 * zigbee-herdsman-converters composes `extend: [battery(), …]`. A field keeps
 * one type in every measurement that has it: InfluxDB refuses a point whose
 * field type differs from what the shard already holds.
 *
 * Tags are for grouping and stay low-cardinality (event type, result, …);
 * anything per-person or per-thing (card hash, room, tag id) is a field.
 * The gateway adds the common tags (site, kind, model, device) and, when the
 * payload carried `ts`, the integer field `rx_lag_ms`: neither is declared here.
 */

type Fields = Record<string, FieldType>;

export interface Measurement<Tag extends string, F extends Fields> extends MeasurementSpec {
  tags: readonly Tag[];
  fields: Readonly<F & typeof envelope>;
}

/** The device's own message id (payload `id`), so one message can be traced from reply to InfluxDB. */
const envelope = { msg_id: 'string' } as const;
const power = { battery_pct: 'integer' } as const;
const radio = { rssi_dbm: 'integer' } as const;
const runtime = { uptime_s: 'integer', fw: 'string' } as const;
/** Whether the condition an event reports holds after it (tamper started: true; restore: false). */
const condition = { active: 'boolean' } as const;
const position = { lat: 'float', lon: 'float' } as const;

function measurement<const Tag extends string, const F extends Fields>(
  name: string,
  description: string,
  tags: readonly Tag[],
  fields: F,
): Measurement<Tag, F> {
  return { name, description, tags, fields: { ...fields, ...envelope } };
}

export const deviceStatus = measurement(
  'device_status',
  'Heartbeat of any battery or radio device: online, battery %, RSSI dBm, uptime s, firmware.',
  [],
  { online: 'boolean', ...power, ...radio, ...runtime },
);

export const cameraHealth = measurement(
  'camera_health',
  'Camera heartbeat: online, frames per second, stream bitrate kbit/s, free storage %, video loss and tamper flags.',
  [],
  { online: 'boolean', fps: 'float', bitrate_kbps: 'integer', storage_free_pct: 'float', video_loss: 'boolean', tamper: 'boolean', ...runtime },
);

export const cameraEvent = measurement(
  'camera_event',
  'Camera event (tag event: tamper | video_loss | motion); active says whether it started or ended; zone for motion.',
  ['event'],
  { ...condition, zone: 'string' },
);

export const lockSwipe = measurement(
  'lock_swipe',
  'Door-lock access attempt: room, keyed hash and masked form of the card (never the number), reason of a denial.',
  ['result', 'method', 'card_type'],
  { room: 'string', card_hash: 'string', card_masked: 'string', reason: 'string' },
);

export const ebikeTagRead = measurement(
  'ebike_tag_read',
  'One sighting of an e-bike anti-theft tag by a roadside reader: tag id (T + 8 hex digits), RSSI dBm, backlog when replayed after an outage.',
  [],
  { tag: 'string', rssi: 'integer', backlog: 'boolean' },
);

export const fireEvent = measurement(
  'fire_event',
  'Fire detector event (tag event: alarm | fault | test | restore | battery; tag sensor): smoke obscuration %/m, temperature °C, fault code, battery %.',
  ['event', 'sensor'],
  { ...condition, smoke_obscuration: 'float', temp_c: 'float', fault_code: 'string', ...power },
);

export const teamPosition = measurement(
  'team_position',
  'Patrol-team tracker fix: latitude, longitude (WGS-84 degrees), speed km/h, heading degrees, accuracy m.',
  [],
  { ...position, speed_kmh: 'float', heading_deg: 'float', accuracy_m: 'float' },
);

export const teamStatus = measurement(
  'team_status',
  'Patrol-team duty status (tag status: available | busy | off_duty); available is true only when the team can be dispatched.',
  ['status'],
  { available: 'boolean' },
);

export const teamDispatch = measurement(
  'team_dispatch',
  'Patrol-team answer to a dispatch order (tag response: accept | decline | arrived) and the incident it concerns.',
  ['response'],
  { incident_id: 'string' },
);
