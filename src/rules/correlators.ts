import { BoundedMap } from './bounded-map.js';
import { sameSelector } from './groups.js';
import { eventMatches, fieldsSatisfy } from './predicates.js';
import type { Correlation } from './schema.js';
import type { Evidence, RuleEvent } from './types.js';

/** One matching (or, for `unmatched`, non-matching) event as a correlator sees it. */
export interface Observation {
  event: RuleEvent;
  /** The event's time, capped at the engine clock. */
  at: number;
  /** groupKey() of the event under the correlation's `by`. */
  group: string;
}

export interface Firing {
  event: RuleEvent;
  evidence: Evidence;
  /** Events (count) or devices (distinctDevices) behind it. */
  count: number;
  durationMs: number;
  /** Fired by `orWhere` alone, not by reaching the threshold. */
  alone?: boolean;
}

export interface Correlator {
  readonly correlation: Correlation;
  readonly groups: BoundedMap<unknown>;
  observe(observation: Observation): Firing | undefined;
  /** Events of the rule's kind that did not match it (a sustained state's clearing event). */
  unmatched?(observation: Observation): void;
  /** Timer work and window eviction; `now` comes from the caller's tick. */
  expire(now: number): Firing[];
}

interface Seen {
  event: RuleEvent;
  at: number;
}

function evidenceOf(seen: readonly Seen[], since?: number): Evidence {
  const events = seen.map((s) => s.event);
  return { events, deviceIds: [...new Set(events.map((e) => e.deviceId))], ...(since !== undefined && { since }) };
}

type WindowCorrelation = Extract<Correlation, { type: 'count' | 'distinctDevices' }>;

/**
 * `count`: at least N matching events of one group within the window. A group
 * keeps only its N most recent events: if those N fit in the window the
 * threshold is met, and older ones can never matter again.
 */
export class CountWindow implements Correlator {
  constructor(
    readonly correlation: WindowCorrelation,
    readonly groups: BoundedMap<Seen[]>,
  ) {}

  observe({ event, at, group }: Observation): Firing | undefined {
    const seen = this.groups.get(group) ?? [];
    let i = seen.length;
    while (i > 0 && (seen[i - 1] as Seen).at > at) i -= 1;
    seen.splice(i, 0, { event, at });
    if (seen.length > this.correlation.atLeast) seen.splice(0, seen.length - this.correlation.atLeast);
    this.groups.set(group, seen);

    const inWindow = seen.filter((s) => s.at <= at && at - s.at <= this.correlation.withinMs);
    const alone = this.correlation.orWhere !== undefined && fieldsSatisfy(this.correlation.orWhere, event.fields);
    if (!alone && inWindow.length < this.correlation.atLeast) return undefined;
    return { event, evidence: evidenceOf(inWindow), count: inWindow.length, durationMs: this.correlation.withinMs, ...(alone && { alone }) };
  }

  expire(now: number): Firing[] {
    this.groups.dropStale((seen) => now - (seen[seen.length - 1]?.at ?? 0) > this.correlation.withinMs);
    return [];
  }
}

/**
 * `distinctDevices`: at least N different devices of one group within the
 * window; a device repeating itself counts once ("a second detector confirms").
 * A group keeps the latest event of its N most recently heard devices.
 */
export class DistinctDevicesWindow implements Correlator {
  constructor(
    readonly correlation: WindowCorrelation,
    readonly groups: BoundedMap<Map<string, Seen>>,
  ) {}

  observe({ event, at, group }: Observation): Firing | undefined {
    const devices = this.groups.get(group) ?? new Map<string, Seen>();
    const known = devices.get(event.deviceId);
    if (!known || known.at <= at) {
      devices.delete(event.deviceId);
      devices.set(event.deviceId, { event, at });
    }
    for (const deviceId of devices.keys()) {
      if (devices.size <= this.correlation.atLeast) break;
      devices.delete(deviceId);
    }
    this.groups.set(group, devices);

    const inWindow = [...devices.values()]
      .filter((s) => s.at <= at && at - s.at <= this.correlation.withinMs)
      .sort((a, b) => a.at - b.at);
    const alone = this.correlation.orWhere !== undefined && fieldsSatisfy(this.correlation.orWhere, event.fields);
    if (!alone && inWindow.length < this.correlation.atLeast) return undefined;
    return { event, evidence: evidenceOf(inWindow), count: inWindow.length, durationMs: this.correlation.withinMs, ...(alone && { alone }) };
  }

  expire(now: number): Firing[] {
    this.groups.dropStale((devices) => {
      let newest = 0;
      for (const seen of devices.values()) newest = Math.max(newest, seen.at);
      return now - newest > this.correlation.withinMs;
    });
    return [];
  }
}

interface LastHeard extends Seen {
  silenceMs: number;
}

/**
 * `absentFor`: fires once when a group that was heard goes silent for the
 * duration, then forgets it until it is heard again, so a dead detector costs
 * no memory after it has been reported. Only groups heard since start are
 * watched: the engine does not know the registry.
 */
export class AbsenceWatch implements Correlator {
  constructor(
    readonly correlation: Extract<Correlation, { type: 'absence' }>,
    readonly groups: BoundedMap<LastHeard>,
    private readonly heartbeatMs: (event: RuleEvent) => number,
  ) {}

  observe({ event, at, group }: Observation): undefined {
    const known = this.groups.get(group);
    if (known && known.at > at) return undefined;
    const { silence } = this.correlation;
    const silenceMs = 'ms' in silence ? silence.ms : silence.heartbeats * this.heartbeatMs(event);
    // A model without a known heartbeat period cannot be judged silent.
    if (!(silenceMs > 0)) return undefined;
    this.groups.set(group, { event, at, silenceMs });
    return undefined;
  }

  expire(now: number): Firing[] {
    const firings: Firing[] = [];
    for (const [group, last] of this.groups) {
      if (now - last.at < last.silenceMs) continue;
      this.groups.delete(group);
      firings.push({ event: last.event, evidence: evidenceOf([last], last.at), count: 1, durationMs: last.silenceMs });
    }
    return firings;
  }
}

interface StateEntered extends Seen {
  reported: boolean;
}

/**
 * `sustainedFor`: a state (camera offline) that lasts the duration without a
 * clearing event (online) in between. Reported once per episode; a repeated
 * `offline` while still offline does not restart the clock.
 */
export class SustainedState implements Correlator {
  constructor(
    readonly correlation: Extract<Correlation, { type: 'sustained' }>,
    readonly groups: BoundedMap<StateEntered>,
  ) {}

  observe({ event, at, group }: Observation): undefined {
    if (!this.groups.get(group)) this.groups.set(group, { event, at, reported: false });
    return undefined;
  }

  unmatched({ event, at, group }: Observation): void {
    const entered = this.groups.get(group);
    // An `online` stamped before the state began is old news, not its end.
    if (entered && at >= entered.at && eventMatches(this.correlation.clearedBy, event)) this.groups.delete(group);
  }

  expire(now: number): Firing[] {
    const firings: Firing[] = [];
    for (const [, entered] of this.groups) {
      if (entered.reported || now - entered.at < this.correlation.forMs) continue;
      entered.reported = true;
      firings.push({ event: entered.event, evidence: evidenceOf([entered], entered.at), count: 1, durationMs: this.correlation.forMs });
    }
    return firings;
  }
}

export interface CorrelatorOptions {
  maxGroups: number;
  heartbeatMs: (event: RuleEvent) => number;
}

/**
 * Builds the correlator for a rule, taking over the groups of the rule's
 * previous version when they still mean the same thing (same correlation type
 * and grouping), so a reload does not forget an alarm seen a minute ago.
 */
export function createCorrelator(correlation: Correlation, options: CorrelatorOptions, previous?: Correlator): Correlator {
  const compatible =
    previous !== undefined &&
    previous.correlation.type === correlation.type &&
    sameSelector(previous.correlation.by, correlation.by);
  const groups = <V>(): BoundedMap<V> =>
    compatible ? (previous.groups as BoundedMap<V>) : new BoundedMap<V>(options.maxGroups);
  switch (correlation.type) {
    case 'count':
      return new CountWindow(correlation, groups());
    case 'distinctDevices':
      return new DistinctDevicesWindow(correlation, groups());
    case 'absence':
      return new AbsenceWatch(correlation, groups(), options.heartbeatMs);
    case 'sustained':
      return new SustainedState(correlation, groups());
  }
}
