import { RuleEngine } from '../../src/rules/engine.js';
import { DEFAULT_RULES_FILE, loadRulesFile, parseRulesYaml } from '../../src/rules/rules-file.js';
import type { Rule } from '../../src/rules/schema.js';
import type { DeviceKind, RuleAction, RuleEvent } from '../../src/rules/types.js';

export const START = Date.UTC(2025, 2, 1, 8, 0, 0);
export const SECOND = 1_000;
export const MINUTE = 60_000;

/** Heartbeat periods of the test village: fire detectors every 5 min, the rest every minute. */
export function heartbeatSeconds(kind: DeviceKind, model: string): number {
  if (model === 'slow-detector') return 3_600;
  return kind === 'fire' ? 300 : 60;
}

export async function defaultRules(): Promise<Rule[]> {
  const load = await loadRulesFile(DEFAULT_RULES_FILE);
  if (!load.ok) throw new Error(load.errors.join('\n'));
  return load.rules;
}

export function rulesFrom(yaml: string): Rule[] {
  const load = parseRulesYaml(yaml);
  if (!load.ok) throw new Error(load.errors.join('\n'));
  return load.rules;
}

/**
 * An engine on a fake clock. `send(ms, event)` and `tick(ms)` take the offset
 * from START, move the clock there and return what fired.
 */
export function village(rules: readonly Rule[]) {
  let now = START;
  const engine = new RuleEngine({ rules, clock: () => now, heartbeatSeconds });
  return {
    engine,
    send(offsetMs: number, event: Omit<RuleEvent, 'time'>): RuleAction[] {
      now = START + offsetMs;
      return engine.handle({ ...event, time: now });
    },
    tick(offsetMs: number): RuleAction[] {
      now = START + offsetMs;
      return engine.tick(now);
    },
    /** Ticks every second over (fromMs, toMs] like the gateway does, collecting what fired. */
    tickThrough(fromMs: number, toMs: number): RuleAction[] {
      const fired: RuleAction[] = [];
      for (let t = fromMs + SECOND; t <= toMs; t += SECOND) {
        now = START + t;
        fired.push(...engine.tick(now));
      }
      return fired;
    },
  };
}

export function firedBy(actions: readonly RuleAction[], ruleId: string): RuleAction[] {
  return actions.filter((a) => a.ruleId === ruleId);
}

// ---- events as the gateway's adapter produces them -------------------------

export function fireEvent(deviceId: string, event: string, place: string | undefined, fields: RuleEvent['fields'] = {}): Omit<RuleEvent, 'time'> {
  return {
    kind: 'fire', event, deviceId, site: 'east', model: 'emberline/sd1', fields,
    ...(place !== undefined && { place, zone: 'industrial', lon: 113.9, lat: 22.5 }),
  };
}

export const fireAlarm = (deviceId: string, place: string | undefined, sensor = 'smoke') =>
  fireEvent(deviceId, 'alarm', place, { sensor, active: true });

export function cameraEvent(deviceId: string, event: string, zone: string, fields: RuleEvent['fields'] = {}): Omit<RuleEvent, 'time'> {
  return { kind: 'camera', event, deviceId, site: 'east', model: 'vistaguard/vg200', fields, place: `Lane ${deviceId}`, zone };
}

export function swipe(deviceId: string, fields: RuleEvent['fields']): Omit<RuleEvent, 'time'> {
  return {
    kind: 'lock', event: 'swipe', deviceId, site: 'east', model: 'anmen/l3', place: 'Building 7',
    fields: { room: `R${deviceId.slice(-3)}`, card_hash: 'c0ffee', result: 'granted', card_registered_to_room: true, card_blacklisted: false, ...fields },
  };
}

export function tagRead(deviceId: string, tag: string, stolen: boolean | undefined): Omit<RuleEvent, 'time'> {
  return {
    kind: 'ebike-station', event: 'tag_read', deviceId, site: 'east', model: 'tagway/r1', place: `Station ${deviceId}`,
    lon: 113.91, lat: 22.51, fields: { tag, rssi: -61, ...(stolen !== undefined && { tag_stolen: stolen }) },
  };
}
