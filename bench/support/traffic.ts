import { modelsForKind } from '../../devices/index.js';
import { modelId, type DeviceKind, type ValidExample } from '../../devices/model.js';
import { templatesFor } from '../ingest.js';

/**
 * Background device traffic for the dispatch benchmark, as load-generator
 * templates (`"__TS__"` and `__ID__` filled per message):
 *
 *  - `routine`: a village's steady state — camera and detector heartbeats,
 *    lock battery reports and PIN entries, motion, tag reads of bikes nobody
 *    reported stolen, detector self-tests. None of it opens an incident.
 *  - `ingest`: the event examples bench/ingest.ts sends (minus fire alarms,
 *    which would take the teams): tamper, denied and unregistered-card
 *    swipes… In the bench village every card swipe is an "unregistered
 *    card" (its room-card register is empty), so this mix updates an open
 *    incident with nearly every message.
 */
export type BackgroundMix = 'routine' | 'ingest';

export interface TrafficDevice {
  kind: DeviceKind;
  modelId: string;
  channel: 'event' | 'status';
  payloads: string[];
}

const ROUTINE: Record<Exclude<DeviceKind, 'team'>, { count: number; pick: (channel: string, payload: Record<string, unknown>) => boolean }> = {
  camera: { count: 10, pick: (channel, p) => (channel === 'status' ? p.video_loss === false : p.event === 'motion') },
  lock: { count: 15, pick: (channel, p) => channel === 'status' || (p.method === 'pin' && p.result === 'granted') },
  'ebike-station': { count: 10, pick: () => true },
  fire: { count: 15, pick: (channel, p) => channel === 'status' || p.event === 'test' || p.event === 'restore' },
};

/** Same shape as bench/ingest.ts templates: device time becomes "now", every message gets its own id. */
const template = (payload: object) => JSON.stringify({ ...payload, ts: '__TS__', id: '__ID__' }, (key, value: unknown) => (key === 'ts' ? '__TS__' : value));

export function backgroundTraffic(mix: BackgroundMix): TrafficDevice[] {
  if (mix === 'ingest') {
    const counts: [DeviceKind, number][] = [['camera', 10], ['lock', 20], ['ebike-station', 5], ['fire', 15]];
    return counts.flatMap(([kind, count]) => {
      const t = templatesFor(kind);
      const payloads = t.payloads.filter((p) => !p.includes('"alarm"'));
      return Array.from({ length: count }, () => ({ kind, modelId: t.modelId, channel: 'event' as const, payloads }));
    });
  }
  return Object.entries(ROUTINE).flatMap(([kind, { count, pick }]) => {
    const model = modelsForKind(kind as DeviceKind)[0]!;
    const examples = model.examples.filter((e): e is ValidExample => 'expect' in e && typeof e.payload === 'object' && e.payload !== null);
    const byChannel = (channel: 'event' | 'status') =>
      examples.filter((e) => e.channel === channel && pick(channel, e.payload as Record<string, unknown>)).map((e) => template(e.payload as object));
    const channels = (['status', 'event'] as const).filter((c) => byChannel(c).length > 0);
    return Array.from({ length: count }, (_, i) => {
      const channel = channels[i % channels.length]!;
      return { kind: kind as DeviceKind, modelId: modelId(model), channel, payloads: byChannel(channel) };
    });
  });
}
