import { createCardProtector } from '../../devices/card.js';
import { findModel } from '../../devices/index.js';
import { isDecodeFailure, type DecodeResult, type DeviceKind } from '../../devices/model.js';
import { buildRoadGraph } from '../../src/dispatch/road-graph.js';
import { parseSite } from '../../src/site/site-files.js';
import { ConnectGate } from '../../simulators/devices/connect-gate.js';
import { Scheduler } from '../../simulators/devices/scheduler.js';
import { SimClock } from '../../simulators/devices/sim-clock.js';
import type { FleetContext, SimDevice } from '../../simulators/devices/sim-device.js';
import { emptyStats } from '../../simulators/devices/stats.js';
import { generateVillage, type Village } from '../../simulators/village/generate.js';
import { Random } from '../../simulators/village/random.js';

/** A fleet context on a fake clock; nothing connects (devices get a capturing connection instead). */
export function fakeContext(options: { speed?: number; startHour?: number } = {}): FleetContext & { clockMs: { now: number } } {
  const clockMs = { now: 1_764_380_000_000 };
  const scheduler = new Scheduler({ now: () => clockMs.now });
  return {
    clockMs,
    scheduler,
    clock: new SimClock({ speed: options.speed ?? 1, now: () => clockMs.now, ...(options.startHour !== undefined ? { startHour: options.startHour } : {}) }),
    random: new Random('test'),
    site: 'testvillage',
    mqttUrl: 'mqtt://127.0.0.1:1',
    mqttTimer: scheduler.mqttTimer(),
    gate: new ConnectGate(scheduler),
    stats: emptyStats(),
  };
}

export interface Captured {
  channel: 'event' | 'status';
  payload: Buffer;
}

/** Makes the device look connected and records what it publishes instead of sending it. */
export function capture(device: SimDevice, online = { value: true }): Captured[] {
  const sent: Captured[] = [];
  Object.defineProperty(device.connection, 'online', { get: () => online.value });
  device.connection.start = () => undefined;
  device.connection.publish = async (channel, payload) => {
    if (!online.value) return false;
    sent.push({ channel, payload: typeof payload === 'string' ? Buffer.from(payload) : payload });
    return true;
  };
  return sent;
}

/** Decodes with the device model's own codec, as the gateway's ingest does. */
export function decode(kind: DeviceKind, model: string, captured: Captured): DecodeResult {
  const codec = findModel(model);
  if (!codec) throw new Error(`unknown model ${model}`);
  return codec.decode(captured.payload, {
    site: 'testvillage',
    kind,
    deviceId: 'sim',
    channel: captured.channel,
    receivedAt: Date.now(),
    protectCard: createCardProtector('test-site-secret'),
  });
}

export function failureOf(result: DecodeResult): string | undefined {
  if (isDecodeFailure(result)) return `${result.reason}: ${JSON.stringify(result.errors)}`;
  return result.warnings?.length ? `warnings: ${result.warnings.join('; ')}` : undefined;
}

let small: { village: Village; graph: ReturnType<typeof buildRoadGraph> } | undefined;
/** A small generated village and its road graph, shared by the unit tests of one file. */
export function smallVillage(): { village: Village; graph: ReturnType<typeof buildRoadGraph> } {
  if (small) return small;
  const village = generateVillage({ seed: 3, scale: 0.02 });
  const parsed = parseSite(JSON.parse(JSON.stringify(village.site)) as { roads: unknown; zones: unknown; places: unknown });
  if (!parsed.ok) throw new Error('generated site does not parse');
  small = { village, graph: buildRoadGraph(parsed.site.roads) };
  return small;
}
