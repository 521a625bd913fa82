import { decodeByChannel } from '../codec.js';
import { decodeHeartbeat } from '../heartbeat.js';
import { deviceStatus, ebikeTagRead } from '../measurements.js';
import type { DeviceModel } from '../model.js';
import { r500Examples } from './r500.examples.js';
import { decodeTagReads } from './tag-read.js';

export { encodeTagFrame } from './tag-frame.js';

export const r500: DeviceModel = {
  kind: 'ebike-station',
  vendor: 'tagway',
  model: 'r500',
  description:
    'TagWay R500 roadside e-bike anti-theft tag reader: batches of up to 500 tag reads on event, as a compact binary frame (magic 0xEB) or JSON; heartbeat every 60 s on status.',
  heartbeatSeconds: 60,
  payloadFormats: ['binary', 'json'],
  measurements: [ebikeTagRead, deviceStatus],
  decode: decodeByChannel({ event: decodeTagReads, status: decodeHeartbeat }),
  examples: r500Examples,
};
