import type { Example } from '../model.js';

/** Device time used by examples that carry one: 2025-11-29T01:33:20Z. */
const TS = 1764380000000;

export const vg200Examples: readonly Example[] = [
  {
    description: 'health heartbeat with storage and firmware',
    channel: 'status',
    payload: { id: 'vg-0001-8812', fps: 25, bitrate_kbps: 2048, storage_free_pct: 63.5, video_loss: false, tamper: false, uptime: 86400, fw: '5.7.3' },
    expect: {
      data: [
        {
          measurement: 'camera_health',
          event: 'health',
          tags: {},
          fields: { online: true, fps: 25, bitrate_kbps: 2048, storage_free_pct: 63.5, video_loss: false, tamper: false, uptime_s: 86400, fw: '5.7.3', msg_id: 'vg-0001-8812' },
        },
      ],
    },
  },
  {
    description: 'tamper alarm starts (lens covered or camera turned)',
    channel: 'event',
    payload: { event: 'tamper', id: 'vg-0001-8813' },
    expect: {
      data: [{ measurement: 'camera_event', event: 'tamper', tags: { event: 'tamper' }, fields: { active: true, msg_id: 'vg-0001-8813' } }],
    },
  },
  {
    description: 'video signal back: video_loss ends, with device time',
    channel: 'event',
    payload: { event: 'video_loss', active: false, ts: TS },
    expect: {
      data: [{ measurement: 'camera_event', event: 'video_loss', ts: TS, tags: { event: 'video_loss' }, fields: { active: false } }],
    },
  },
  {
    description: 'motion in a named zone',
    channel: 'event',
    payload: { event: 'motion', zone: 'north-gate', ts: TS },
    expect: {
      data: [{ measurement: 'camera_event', event: 'motion', ts: TS, tags: { event: 'motion' }, fields: { active: true, zone: 'north-gate' } }],
    },
  },
  {
    description: 'heartbeat of a camera without SD card, in video loss, from a firmware with an extra field (kept out, with a warning)',
    channel: 'status',
    payload: { fps: 12.5, bitrate_kbps: 512, video_loss: true, tamper: false, ir_mode: 'night' },
    expect: {
      data: [{ measurement: 'camera_health', event: 'health', tags: {}, fields: { online: true, fps: 12.5, bitrate_kbps: 512, video_loss: true, tamper: false } }],
      warnings: ['ignored unknown field "ir_mode"'],
    },
  },
  {
    description: 'truncated JSON',
    channel: 'event',
    text: '{"event": "tamper",',
    expectErrors: { reason: 'malformed', errors: [{ path: '', message: 'payload is not valid JSON (19 bytes): Expected double-quoted property name in JSON at position 19' }] },
  },
  {
    description: 'binary junk on a JSON-only model',
    channel: 'status',
    hex: '00ff133780',
    expectErrors: {
      reason: 'malformed',
      errors: [{ path: '', message: 'payload is not UTF-8 text (5 bytes, first byte 0x00); this model accepts JSON, not binary frames' }],
    },
  },
  {
    description: 'wrong type: fps as a word',
    channel: 'status',
    payload: { fps: 'high', bitrate_kbps: 2048, video_loss: false, tamper: false },
    expectErrors: { reason: 'schema', errors: [{ path: 'fps', message: 'expected number 0–120, got "high"' }] },
  },
  {
    description: 'out of range: free storage above 100 %',
    channel: 'status',
    payload: { fps: 25, bitrate_kbps: 2048, storage_free_pct: 140, video_loss: false, tamper: false },
    expectErrors: { reason: 'schema', errors: [{ path: 'storage_free_pct', message: 'expected number 0–100, got 140' }] },
  },
  {
    description: 'missing required video_loss flag',
    channel: 'status',
    payload: { fps: 25, bitrate_kbps: 2048, tamper: false },
    expectErrors: { reason: 'schema', errors: [{ path: 'video_loss', message: 'required, expected boolean' }] },
  },
  {
    description: 'unknown event type',
    channel: 'event',
    payload: { event: 'fire' },
    expectErrors: { reason: 'schema', errors: [{ path: 'event', message: 'expected one of tamper, video_loss, motion, got "fire"' }] },
  },
];
