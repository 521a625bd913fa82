import type { Example } from '../model.js';

const TS = 1764380000000;

export const t1Examples: readonly Example[] = [
  {
    description: 'position fix on patrol',
    channel: 'event',
    payload: { id: 't1-0003-9001', event: 'position', lat: 30.18412, lon: 120.26473, speed_kmh: 4.6, heading: 275, accuracy_m: 6 },
    expect: {
      data: [
        {
          measurement: 'team_position',
          event: 'position',
          tags: {},
          fields: { lat: 30.18412, lon: 120.26473, speed_kmh: 4.6, heading_deg: 275, accuracy_m: 6, msg_id: 't1-0003-9001' },
        },
      ],
    },
  },
  {
    description: 'team becomes busy',
    channel: 'event',
    payload: { event: 'status', status: 'busy', ts: TS },
    expect: { data: [{ measurement: 'team_status', event: 'status', ts: TS, tags: { status: 'busy' }, fields: { available: false } }] },
  },
  {
    description: 'team available again',
    channel: 'event',
    payload: { event: 'status', status: 'available' },
    expect: { data: [{ measurement: 'team_status', event: 'status', tags: { status: 'available' }, fields: { available: true } }] },
  },
  {
    description: 'team accepts a dispatch order',
    channel: 'event',
    payload: { event: 'accept', incident_id: 'INC-20251129-0042' },
    expect: {
      data: [{ measurement: 'team_dispatch', event: 'accept', tags: { response: 'accept' }, fields: { incident_id: 'INC-20251129-0042' } }],
    },
  },
  {
    description: 'team reports arrival',
    channel: 'event',
    payload: { event: 'arrived', incident_id: 'INC-20251129-0042', ts: TS + 151_000 },
    expect: {
      data: [
        { measurement: 'team_dispatch', event: 'arrived', ts: TS + 151_000, tags: { response: 'arrived' }, fields: { incident_id: 'INC-20251129-0042' } },
      ],
    },
  },
  {
    description: 'tracker heartbeat',
    channel: 'status',
    payload: { battery: 64 },
    expect: { data: [{ measurement: 'device_status', event: 'heartbeat', tags: {}, fields: { online: true, battery_pct: 64 } }] },
  },
  {
    description: 'latitude out of range (lat and lon swapped)',
    channel: 'event',
    payload: { event: 'position', lat: 120.26473, lon: 30.18412 },
    expectErrors: { reason: 'schema', errors: [{ path: 'lat', message: 'expected number -90–90, got 120.26473' }] },
  },
  {
    description: 'longitude as text',
    channel: 'event',
    payload: { event: 'position', lat: 30.18412, lon: '120.26473' },
    expectErrors: { reason: 'schema', errors: [{ path: 'lon', message: 'expected number -180–180, got "120.26473"' }] },
  },
  {
    description: 'accept without the incident id',
    channel: 'event',
    payload: { event: 'accept' },
    expectErrors: { reason: 'schema', errors: [{ path: 'incident_id', message: 'required, expected text of 1–64 characters' }] },
  },
  {
    description: 'status outside its set',
    channel: 'event',
    payload: { event: 'status', status: 'lunch' },
    expectErrors: { reason: 'schema', errors: [{ path: 'status', message: 'expected one of available, busy, off_duty, got "lunch"' }] },
  },
  {
    description: 'no event at all',
    channel: 'event',
    payload: { lat: 30.18412, lon: 120.26473 },
    expectErrors: { reason: 'schema', errors: [{ path: 'event', message: 'required, expected one of position, status, accept, decline, arrived' }] },
  },
  {
    description: 'junk bytes',
    channel: 'event',
    hex: 'deadbeef',
    expectErrors: {
      reason: 'malformed',
      errors: [{ path: '', message: 'payload is not UTF-8 text (4 bytes, first byte 0xDE); this model accepts JSON, not binary frames' }],
    },
  },
];
