import { createCorrelator, type Correlator, type Firing } from './correlators.js';
import { groupKey, groupOf } from './groups.js';
import { incidentAction } from './incident.js';
import { eventMatches } from './predicates.js';
import type { Rule } from './schema.js';
import type { DeviceKind, RuleAction, RuleEvent } from './types.js';

export interface RuleEngineOptions {
  rules: readonly Rule[];
  /** Epoch ms. Event times are capped at it. */
  clock: () => number;
  /** Expected heartbeat period of a device model, for `absentFor: N heartbeats`. */
  heartbeatSeconds: (kind: DeviceKind, model: string) => number;
  /**
   * Bound on the groups (devices, places, tags…) one rule keeps in memory; the
   * least recently heard is forgotten beyond it. A village has ~30k devices.
   */
  maxGroupsPerRule?: number;
}

export interface RuleEngineStats {
  rules: number;
  /** Groups held across all rules' windows and timers. */
  groups: number;
  /** Groups forgotten because a rule reached maxGroupsPerRule. */
  evicted: number;
}

interface LiveRule {
  rule: Rule;
  correlator?: Correlator;
}

const DEFAULT_MAX_GROUPS = 100_000;

/**
 * The pure rule engine: events in, incident actions out. No timers and no I/O;
 * the caller feeds events with `handle` and time with `tick` (every second),
 * so a test drives it with a fake clock and gets the same answer every run.
 */
export class RuleEngine {
  private readonly clock: () => number;
  private readonly maxGroups: number;
  private readonly heartbeatMs: (event: RuleEvent) => number;
  private live: LiveRule[] = [];
  private byKind = new Map<DeviceKind, LiveRule[]>();

  constructor(options: RuleEngineOptions) {
    this.clock = options.clock;
    this.maxGroups = options.maxGroupsPerRule ?? DEFAULT_MAX_GROUPS;
    this.heartbeatMs = (event) => options.heartbeatSeconds(event.kind, event.model) * 1000;
    this.replaceRules(options.rules);
  }

  get rules(): readonly Rule[] {
    return this.live.map((l) => l.rule);
  }

  handle(event: RuleEvent): RuleAction[] {
    // A device clock running ahead must not hold a window open or postpone a
    // silence alarm past real time, so no event is later than now.
    const at = Math.min(event.time, this.clock());
    const actions: RuleAction[] = [];
    for (const { rule, correlator } of this.byKind.get(event.kind) ?? []) {
      const matched = eventMatches(rule.match, event);
      if (!correlator) {
        if (matched) actions.push(incidentAction(rule, single(event)));
        continue;
      }
      const observation = { event, at, group: groupKey(groupOf(event, correlator.correlation.by)) };
      if (!matched) {
        correlator.unmatched?.(observation);
        continue;
      }
      const firing = correlator.observe(observation);
      if (firing) actions.push(incidentAction(rule, firing));
    }
    return actions;
  }

  /**
   * A device the registry knows, not yet heard by this engine (after a
   * restart): its absence rules watch it from `event.time` as if it had just
   * been heard, so a detector that never comes back is still reported. Other
   * rules see nothing: this is not an event the device sent. An absence rule
   * with field conditions (`where`) is left to the device's next message: the
   * registry cannot say whether its last one met them.
   */
  watchForSilence(event: RuleEvent): void {
    const at = Math.min(event.time, this.clock());
    for (const { rule, correlator } of this.byKind.get(event.kind) ?? []) {
      if (correlator?.correlation.type !== 'absence' || rule.match.where.length > 0) continue;
      const group = groupKey(groupOf(event, correlator.correlation.by));
      // Heard since (a message raced the priming): that is the better clock.
      if (correlator.groups.get(group)) continue;
      correlator.observe({ event, at, group });
    }
  }

  /**
   * Drops what the timer rules (absence, sustained) hold about this device
   * when they group by device: a device put under maintenance is judged
   * afresh when it comes out. Groups shared with other devices are kept.
   */
  forgetTimers(event: RuleEvent): void {
    for (const { correlator } of this.byKind.get(event.kind) ?? []) {
      if (correlator?.correlation.type !== 'absence' && correlator?.correlation.type !== 'sustained') continue;
      const group = groupOf(event, correlator.correlation.by);
      if (group.name === 'device') correlator.groups.delete(groupKey(group));
    }
  }

  /** Fires absence and sustained rules whose time has come, and evicts stale windows. */
  tick(now: number): RuleAction[] {
    const actions: RuleAction[] = [];
    for (const { rule, correlator } of this.live) {
      for (const firing of correlator?.expire(now) ?? []) actions.push(incidentAction(rule, firing));
    }
    return actions;
  }

  /**
   * Swaps the rule set. A rule whose id survives keeps its windows and timers
   * when its correlation type and grouping are unchanged (new thresholds apply
   * to the kept events); any other rule starts empty.
   */
  replaceRules(rules: readonly Rule[]): void {
    const previous = new Map(this.live.map((l) => [l.rule.id, l.correlator]));
    const options = { maxGroups: this.maxGroups, heartbeatMs: this.heartbeatMs };
    this.live = rules
      .filter((rule) => rule.enabled)
      .map((rule) => ({
        rule,
        ...(rule.correlate && { correlator: createCorrelator(rule.correlate, options, previous.get(rule.id)) }),
      }));
    this.byKind = new Map();
    for (const live of this.live) {
      for (const kind of live.rule.match.kinds) {
        const list = this.byKind.get(kind) ?? [];
        list.push(live);
        this.byKind.set(kind, list);
      }
    }
  }

  stats(): RuleEngineStats {
    let groups = 0;
    let evicted = 0;
    for (const { correlator } of this.live) {
      groups += correlator?.groups.size ?? 0;
      evicted += correlator?.groups.evicted ?? 0;
    }
    return { rules: this.live.length, groups, evicted };
  }
}

function single(event: RuleEvent): Firing {
  return { event, evidence: { events: [event], deviceIds: [event.deviceId] }, count: 1, durationMs: 0 };
}
