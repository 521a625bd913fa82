import type { Example } from '../model.js';

const TS = 1764380000000;

export const d10Examples: readonly Example[] = [
  {
    description: 'smoke alarm with its obscuration reading',
    channel: 'event',
    payload: { id: 'd10-0007-311', event: 'alarm', sensor: 'smoke', smoke_obscuration: 3.2 },
    expect: {
      data: [
        {
          measurement: 'fire_event',
          event: 'alarm',
          tags: { event: 'alarm', sensor: 'smoke' },
          fields: { active: true, smoke_obscuration: 3.2, msg_id: 'd10-0007-311' },
        },
      ],
    },
  },
  {
    description: 'heat alarm with device time',
    channel: 'event',
    payload: { ts: TS, event: 'alarm', sensor: 'heat', temp_c: 68 },
    expect: {
      data: [{ measurement: 'fire_event', event: 'alarm', ts: TS, tags: { event: 'alarm', sensor: 'heat' }, fields: { active: true, temp_c: 68 } }],
    },
  },
  {
    description: 'alarm over: restore',
    channel: 'event',
    payload: { event: 'restore', sensor: 'smoke', smoke_obscuration: 0.1 },
    expect: {
      data: [{ measurement: 'fire_event', event: 'restore', tags: { event: 'restore', sensor: 'smoke' }, fields: { active: false, smoke_obscuration: 0.1 } }],
    },
  },
  {
    description: 'chamber fault with its code',
    channel: 'event',
    payload: { event: 'fault', fault_code: 'E03-chamber-dirty' },
    expect: {
      data: [{ measurement: 'fire_event', event: 'fault', tags: { event: 'fault' }, fields: { active: true, fault_code: 'E03-chamber-dirty' } }],
    },
  },
  {
    description: 'low battery',
    channel: 'event',
    payload: { event: 'battery', battery: 9 },
    expect: {
      data: [{ measurement: 'fire_event', event: 'battery', tags: { event: 'battery' }, fields: { active: true, battery_pct: 9 } }],
    },
  },
  {
    description: 'monthly manual-call-point test',
    channel: 'event',
    payload: { event: 'test', sensor: 'manual' },
    expect: {
      data: [{ measurement: 'fire_event', event: 'test', tags: { event: 'test', sensor: 'manual' }, fields: { active: true } }],
    },
  },
  {
    description: 'heartbeat with battery and signal',
    channel: 'status',
    payload: { battery: 96, rssi: -88, fw: '1.4.2' },
    expect: {
      data: [{ measurement: 'device_status', event: 'heartbeat', tags: {}, fields: { online: true, battery_pct: 96, rssi_dbm: -88, fw: '1.4.2' } }],
    },
  },
  {
    description: 'truncated JSON',
    channel: 'event',
    text: '{"event": "alarm", ',
    expectErrors: { reason: 'malformed', errors: [{ path: '', message: 'payload is not valid JSON (19 bytes): Expected double-quoted property name in JSON at position 19' }] },
  },
  {
    description: 'event as a number',
    channel: 'event',
    payload: { event: 42, sensor: 'smoke' },
    expectErrors: { reason: 'schema', errors: [{ path: 'event', message: 'expected one of alarm, restore, test, fault, battery, got 42' }] },
  },
  {
    description: 'alarm without its sensor',
    channel: 'event',
    payload: { event: 'alarm', smoke_obscuration: 3.2 },
    expectErrors: { reason: 'schema', errors: [{ path: 'sensor', message: 'required, expected one of smoke, heat, manual, combined' }] },
  },
  {
    description: 'temperature out of range',
    channel: 'event',
    payload: { event: 'alarm', sensor: 'heat', temp_c: 900 },
    expectErrors: { reason: 'schema', errors: [{ path: 'temp_c', message: 'expected number -40–150, got 900' }] },
  },
  {
    description: 'heartbeat battery as a word',
    channel: 'status',
    payload: { battery: 'low' },
    expectErrors: { reason: 'schema', errors: [{ path: 'battery', message: 'expected integer 0–100, got "low"' }] },
  },
  {
    description: 'JSON that is not an object',
    channel: 'event',
    text: '[1,2,3]',
    expectErrors: { reason: 'schema', errors: [{ path: '', message: 'expected an object, got an array of 3' }] },
  },
  {
    description: 'empty payload',
    channel: 'status',
    text: '',
    expectErrors: { reason: 'malformed', errors: [{ path: '', message: 'payload is empty (0 bytes); expected a JSON object' }] },
  },
];
