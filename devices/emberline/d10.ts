import { z } from 'zod';
import { decodeByChannel, decoded, isFailure, type ChannelDecoder } from '../codec.js';
import { envelopeShape, integerIn, numberIn, textUpTo } from '../fields.js';
import { decodeHeartbeat } from '../heartbeat.js';
import { decodeJson } from '../json.js';
import { deviceStatus, fireEvent } from '../measurements.js';
import type { DeviceModel } from '../model.js';
import { reading } from '../reading.js';
import { d10Examples } from './d10.examples.js';

const sensor = z.enum(['smoke', 'heat', 'manual', 'combined']);
const measured = {
  /** smoke obscuration, %/m (EN 54-7 detectors alarm around 2–4 %/m) */
  smoke_obscuration: numberIn(0, 100).optional(),
  temp_c: numberIn(-40, 150).optional(),
};

/** One shape per event, so each says what it needs: an alarm names its sensor, a battery event its level. */
const eventSchema = z.discriminatedUnion('event', [
  z.object({ ...envelopeShape, event: z.literal('alarm'), sensor, ...measured }).strict(),
  z.object({ ...envelopeShape, event: z.literal('restore'), sensor: sensor.optional(), ...measured }).strict(),
  z.object({ ...envelopeShape, event: z.literal('test'), sensor: sensor.optional(), ...measured }).strict(),
  z
    .object({ ...envelopeShape, event: z.literal('fault'), sensor: sensor.optional(), fault_code: textUpTo(32).optional(), active: z.boolean().optional() })
    .strict(),
  z.object({ ...envelopeShape, event: z.literal('battery'), battery: integerIn(0, 100), active: z.boolean().optional() }).strict(),
]);

type FireEventPayload = z.infer<typeof eventSchema>;

/** Whether the reported condition holds after the event: a restore ends an alarm; a fault or low battery may be reported cleared. */
function activeAfter(event: FireEventPayload): boolean {
  switch (event.event) {
    case 'restore':
      return false;
    case 'fault':
    case 'battery':
      return event.active ?? true;
    default:
      return true;
  }
}

const decodeEvent: ChannelDecoder = (bytes) => {
  const result = decodeJson(bytes, eventSchema);
  if (isFailure(result)) return result;
  const event = result.value;
  return decoded(
    [
      reading(fireEvent, event.event, {
        ts: event.ts,
        tags: { event: event.event, sensor: 'sensor' in event ? event.sensor : undefined },
        fields: {
          active: activeAfter(event),
          smoke_obscuration: 'smoke_obscuration' in event ? event.smoke_obscuration : undefined,
          temp_c: 'temp_c' in event ? event.temp_c : undefined,
          fault_code: 'fault_code' in event ? event.fault_code : undefined,
          battery_pct: 'battery' in event ? event.battery : undefined,
          msg_id: event.id,
        },
      }),
    ],
    result.warnings,
  );
};

/**
 * Heartbeat every 120 s: with the gateway's timeout factor of 2.5 a silent
 * detector is flagged within 5 minutes, which the "silent detector" rule
 * needs. Mains-powered detectors afford it; battery NB-IoT detectors that
 * report hourly belong in a model of their own with a longer period.
 */
export const d10: DeviceModel = {
  kind: 'fire',
  vendor: 'emberline',
  model: 'd10',
  description:
    'Emberline D10 networked smoke / heat / manual-call detector: alarm, restore, test, fault and battery events on event; heartbeat every 120 s on status.',
  heartbeatSeconds: 120,
  payloadFormats: ['json'],
  measurements: [fireEvent, deviceStatus],
  decode: decodeByChannel({ event: decodeEvent, status: decodeHeartbeat }),
  examples: d10Examples,
};
