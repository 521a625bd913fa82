import { z } from 'zod';
import { decodeByChannel, decoded, isFailure, type ChannelDecoder } from '../codec.js';
import { envelopeShape, numberIn, textUpTo } from '../fields.js';
import { decodeHeartbeat } from '../heartbeat.js';
import { decodeJson } from '../json.js';
import { deviceStatus, teamDispatch, teamPosition, teamStatus } from '../measurements.js';
import type { DeviceModel, Reading } from '../model.js';
import { reading } from '../reading.js';
import { t1Examples } from './t1.examples.js';

const dispatchAnswer = (event: 'accept' | 'decline' | 'arrived') =>
  z.object({ ...envelopeShape, event: z.literal(event), incident_id: textUpTo(64) }).strict();

const eventSchema = z.discriminatedUnion('event', [
  z
    .object({
      ...envelopeShape,
      event: z.literal('position'),
      lat: numberIn(-90, 90),
      lon: numberIn(-180, 180),
      speed_kmh: numberIn(0, 300).optional(),
      /** degrees clockwise from north */
      heading: numberIn(0, 360).optional(),
      accuracy_m: numberIn(0, 100_000).optional(),
    })
    .strict(),
  z.object({ ...envelopeShape, event: z.literal('status'), status: z.enum(['available', 'busy', 'off_duty']) }).strict(),
  dispatchAnswer('accept'),
  dispatchAnswer('decline'),
  dispatchAnswer('arrived'),
]);

type TeamEvent = z.infer<typeof eventSchema>;

function readingOf(event: TeamEvent): Reading {
  switch (event.event) {
    case 'position':
      return reading(teamPosition, 'position', {
        ts: event.ts,
        fields: {
          lat: event.lat,
          lon: event.lon,
          speed_kmh: event.speed_kmh,
          heading_deg: event.heading,
          accuracy_m: event.accuracy_m,
          msg_id: event.id,
        },
      });
    case 'status':
      return reading(teamStatus, 'status', {
        ts: event.ts,
        tags: { status: event.status },
        fields: { available: event.status === 'available', msg_id: event.id },
      });
    default:
      return reading(teamDispatch, event.event, {
        ts: event.ts,
        tags: { response: event.event },
        fields: { incident_id: event.incident_id, msg_id: event.id },
      });
  }
}

const decodeEvent: ChannelDecoder = (bytes) => {
  const result = decodeJson(bytes, eventSchema);
  if (isFailure(result)) return result;
  return decoded([readingOf(result.value)], result.warnings);
};

/** 30 s: positions come at least this often while on duty, so dispatch works from fixes at most a minute old. */
export const t1: DeviceModel = {
  kind: 'team',
  vendor: 'patrolink',
  model: 't1',
  description:
    'Patrolink T1 patrol-team tracker: GPS positions, duty status and answers to dispatch orders (accept, decline, arrived) on event; heartbeat every 30 s on status.',
  heartbeatSeconds: 30,
  payloadFormats: ['json'],
  measurements: [teamPosition, teamStatus, teamDispatch, deviceStatus],
  decode: decodeByChannel({ event: decodeEvent, status: decodeHeartbeat }),
  examples: t1Examples,
};
