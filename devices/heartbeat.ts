import { z } from 'zod';
import { decoded, isFailure, type ChannelDecoder } from './codec.js';
import { envelopeShape, integerIn, textUpTo } from './fields.js';
import { decodeJson } from './json.js';
import { deviceStatus } from './measurements.js';
import { reading } from './reading.js';

/**
 * The heartbeat most devices send on `status`: whatever health they know.
 * Every field is optional because an empty heartbeat still proves the device
 * is alive; `online` defaults to true (the offline notice `{"online":false}`
 * is the Last Will, handled by the gateway before any codec).
 */
export const heartbeatShape = {
  online: z.boolean().optional(),
  /** % */
  battery: integerIn(0, 100).optional(),
  /** dBm */
  rssi: integerIn(-140, 0).optional(),
  /** s since boot */
  uptime: integerIn(0, 3_153_600_000).optional(),
  fw: textUpTo(32).optional(),
};

export const heartbeatSchema = z.object({ ...envelopeShape, ...heartbeatShape }).strict();

export const decodeHeartbeat: ChannelDecoder = (bytes) => {
  const result = decodeJson(bytes, heartbeatSchema);
  if (isFailure(result)) return result;
  const beat = result.value;
  return decoded(
    [
      reading(deviceStatus, 'heartbeat', {
        ts: beat.ts,
        fields: {
          online: beat.online ?? true,
          battery_pct: beat.battery,
          rssi_dbm: beat.rssi,
          uptime_s: beat.uptime,
          fw: beat.fw,
          msg_id: beat.id,
        },
      }),
    ],
    result.warnings,
  );
};
