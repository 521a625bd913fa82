import type { Example } from '../model.js';

/** 2025-11-29T01:33:20Z; the binary frames below carry it as base time 0x0000019ACD3E3F00. */
const TS = 1764380000000;

const tagRead = (tag: string, rssi: number, extra: { ts?: number; msg_id?: string; backlog?: boolean } = {}) => ({
  measurement: 'ebike_tag_read',
  event: 'tag_read',
  ...(extra.ts !== undefined ? { ts: extra.ts } : {}),
  tags: {},
  fields: { tag, rssi, ...(extra.backlog ? { backlog: true } : {}), ...(extra.msg_id ? { msg_id: extra.msg_id } : {}) },
});

export const r500Examples: readonly Example[] = [
  {
    description: 'JSON batch of two reads, tags as id and as number (same canonical id either way)',
    channel: 'event',
    payload: { id: 'r500-07-5531', reads: [{ tag: 'T0001E240', rssi: -61 }, { tag: 3000000001, rssi: -75 }] },
    expect: { data: [tagRead('T0001E240', -61, { msg_id: 'r500-07-5531' }), tagRead('TB2D05E01', -75, { msg_id: 'r500-07-5531' })] },
  },
  {
    description: 'JSON batch with device time: dt is ms after the batch ts, a read may carry its own ts',
    channel: 'event',
    payload: { ts: TS, reads: [{ tag: 't0001e240', rssi: -58, dt: 0 }, { tag: 'T00ABCDEF', rssi: -80, dt: 1500 }, { tag: 42, rssi: -90, ts: TS - 2000 }] },
    expect: {
      data: [tagRead('T0001E240', -58, { ts: TS }), tagRead('T00ABCDEF', -80, { ts: TS + 1500 }), tagRead('T0000002A', -90, { ts: TS - 2000 })],
    },
  },
  {
    description: 'binary frame: tag 123456 at base time, tag 0xB2D05E01 250 ms later',
    channel: 'event',
    hex: 'eb01000000019acd3e3f0000020001e240c30000b2d05e01b500fa6866',
    expect: { data: [tagRead('T0001E240', -61, { ts: TS }), tagRead('TB2D05E01', -75, { ts: TS + 250 })] },
  },
  {
    description: 'binary frame flagged backlog: reads buffered while the uplink was down, sent an hour late',
    channel: 'event',
    hex: 'eb01010000019acd075080000100abcdefad9c408c75',
    expect: { data: [tagRead('T00ABCDEF', -83, { ts: TS - 3_600_000 + 40_000, backlog: true })] },
  },
  {
    description: 'binary frame from a newer firmware setting a reserved flag bit: decoded, with a warning',
    channel: 'event',
    hex: 'eb01810000019acd3e3f000001000000079cffff6056',
    expect: { data: [tagRead('T00000007', -100, { ts: TS + 65_535, backlog: true })], warnings: ['ignored reserved flag bits 0x80'] },
  },
  {
    description: 'JSON reads with a field this model does not store: one warning for the whole batch',
    channel: 'event',
    payload: { reads: [{ tag: 'T0001E240', rssi: -61, antenna: 1 }, { tag: 'T0001E241', rssi: -62, antenna: 2 }] },
    expect: { data: [tagRead('T0001E240', -61), tagRead('T0001E241', -62)], warnings: ['ignored unknown field "reads.0.antenna"'] },
  },
  {
    description: 'reader heartbeat',
    channel: 'status',
    payload: { uptime: 3600, fw: '2.1.0', rssi: -67 },
    expect: {
      data: [{ measurement: 'device_status', event: 'heartbeat', tags: {}, fields: { online: true, rssi_dbm: -67, uptime_s: 3600, fw: '2.1.0' } }],
    },
  },
  {
    description: 'binary frame with a wrong CRC',
    channel: 'event',
    hex: 'eb01000000018c5fa3b0e8000100000001c8000aabcd',
    expectErrors: { reason: 'malformed', errors: [{ path: '', message: 'CRC mismatch: frame says 0xABCD, computed 0xE5E1' }] },
  },
  {
    description: 'binary frame with one bit flipped in a tag id',
    channel: 'event',
    hex: 'eb01000000019acd3e3f0000020000e240c30000b2d05e01b500fa6866',
    expectErrors: { reason: 'malformed', errors: [{ path: '', message: 'CRC mismatch: frame says 0x6866, computed 0x2D05' }] },
  },
  {
    description: 'binary frame cut off after 17 bytes',
    channel: 'event',
    hex: 'eb01000000019acd3e3f0000020001e240',
    expectErrors: { reason: 'malformed', errors: [{ path: '', message: 'frame length 17 does not match 2 reads (expected 29 bytes)' }] },
  },
  {
    description: 'bad magic byte',
    channel: 'event',
    hex: 'ec01000000019acd3e3f0000020001e240c30000b2d05e01b500fa6866',
    expectErrors: { reason: 'malformed', errors: [{ path: '', message: 'bad magic byte 0xEC: a tag frame starts with 0xEB (a JSON payload with "{")' }] },
  },
  {
    description: 'frame version this model does not know',
    channel: 'event',
    hex: 'eb02000000019acd3e3f0000020001e240c30000b2d05e01b500fa6866',
    expectErrors: { reason: 'malformed', errors: [{ path: '', message: 'unsupported frame version 2; this model reads version 1' }] },
  },
  {
    description: 'shorter than any frame',
    channel: 'event',
    hex: 'eb0100000001',
    expectErrors: { reason: 'malformed', errors: [{ path: '', message: 'frame is 6 bytes; a tag frame has at least 15 (13-byte header, 2-byte CRC)' }] },
  },
  {
    description: 'well-formed frame with base time 0 (reader clock never set)',
    channel: 'event',
    hex: 'eb0100000000000000000000002d9e',
    expectErrors: { reason: 'schema', errors: [{ path: 'ts', message: 'expected epoch milliseconds (integer > 0), got 0' }] },
  },
  {
    description: 'JSON: RSSI out of range and a tag id that is not one',
    channel: 'event',
    payload: { reads: [{ tag: 'T0001E240', rssi: -200 }, { tag: 'X123', rssi: -60 }] },
    expectErrors: {
      reason: 'schema',
      errors: [
        { path: 'reads.0.rssi', message: 'expected integer -128–127, got -200' },
        { path: 'reads.1.tag', message: 'expected tag number 0–4294967295 or "T" + 8 hex digits, got "X123"' },
      ],
    },
  },
  {
    description: 'JSON: reads missing',
    channel: 'event',
    payload: { ts: TS },
    expectErrors: { reason: 'schema', errors: [{ path: 'reads', message: 'required, expected an array of reads' }] },
  },
  {
    description: 'JSON: a batch above 500 reads',
    channel: 'event',
    payload: { reads: Array.from({ length: 501 }, (_, i) => ({ tag: i, rssi: -70 })) },
    expectErrors: { reason: 'schema', errors: [{ path: 'reads', message: 'expected at most 500 reads per batch, got an array of 501' }] },
  },
  {
    description: 'JSON: dt without a batch ts to count from',
    channel: 'event',
    payload: { reads: [{ tag: 'T0001E240', rssi: -61, dt: 100 }] },
    expectErrors: { reason: 'schema', errors: [{ path: 'reads.0.dt', message: 'dt is ms after the batch ts, and the batch has no ts' }] },
  },
  {
    description: 'truncated JSON',
    channel: 'event',
    text: '{"reads":[{"tag":"T0001E240",',
    expectErrors: { reason: 'malformed', errors: [{ path: '', message: 'payload is not valid JSON (29 bytes): Expected double-quoted property name in JSON at position 29' }] },
  },
];
