import { z } from 'zod';
import { decodeByChannel, decoded, isFailure, type ChannelDecoder } from '../codec.js';
import { envelopeShape, integerIn, numberIn, textUpTo } from '../fields.js';
import { heartbeatShape } from '../heartbeat.js';
import { decodeJson } from '../json.js';
import { cameraEvent, cameraHealth } from '../measurements.js';
import type { DeviceModel } from '../model.js';
import { reading } from '../reading.js';
import { vg200Examples } from './vg200.examples.js';

const eventSchema = z
  .object({
    ...envelopeShape,
    event: z.enum(['tamper', 'video_loss', 'motion']),
    /** false when the condition ends (lens cleared, signal back); absent means it started */
    active: z.boolean().optional(),
    zone: textUpTo(32).optional(),
  })
  .strict();

const healthSchema = z
  .object({
    ...envelopeShape,
    online: z.boolean().optional(),
    fps: numberIn(0, 120),
    bitrate_kbps: integerIn(0, 100_000),
    /** absent on cameras without an SD card */
    storage_free_pct: numberIn(0, 100).optional(),
    video_loss: z.boolean(),
    tamper: z.boolean(),
    uptime: heartbeatShape.uptime,
    fw: heartbeatShape.fw,
  })
  .strict();

const decodeEvent: ChannelDecoder = (bytes) => {
  const result = decodeJson(bytes, eventSchema);
  if (isFailure(result)) return result;
  const event = result.value;
  return decoded(
    [
      reading(cameraEvent, event.event, {
        ts: event.ts,
        tags: { event: event.event },
        fields: { active: event.active ?? true, zone: event.zone, msg_id: event.id },
      }),
    ],
    result.warnings,
  );
};

const decodeHealth: ChannelDecoder = (bytes) => {
  const result = decodeJson(bytes, healthSchema);
  if (isFailure(result)) return result;
  const health = result.value;
  return decoded(
    [
      reading(cameraHealth, 'health', {
        ts: health.ts,
        fields: {
          online: health.online ?? true,
          fps: health.fps,
          bitrate_kbps: health.bitrate_kbps,
          storage_free_pct: health.storage_free_pct,
          video_loss: health.video_loss,
          tamper: health.tamper,
          uptime_s: health.uptime,
          fw: health.fw,
          msg_id: health.id,
        },
      }),
    ],
    result.warnings,
  );
};

export const vg200: DeviceModel = {
  kind: 'camera',
  vendor: 'vistaguard',
  model: 'vg200',
  description: 'VistaGuard VG200 village CCTV camera: health heartbeat every 60 s on status; tamper, video-loss and motion events.',
  heartbeatSeconds: 60,
  payloadFormats: ['json'],
  measurements: [cameraHealth, cameraEvent],
  decode: decodeByChannel({ event: decodeEvent, status: decodeHealth }),
  examples: vg200Examples,
};
