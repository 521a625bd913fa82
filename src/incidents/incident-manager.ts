import type { Logger } from 'pino';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { RuleAction } from '../rules/types.js';
import { SEVERITY_RANK, type Incident, type IncidentStore } from './incident-store.js';

export interface IncidentManagerOptions {
  store: IncidentStore;
  dispatcher: Dispatcher;
  notifyBrigade(incident: Incident, reason: string): void;
  sendDeviceCommand(deviceId: string, command: string, args: Record<string, unknown>): void;
  changed(incident: Incident): void;
  log: Logger;
  now?: () => number;
}

/**
 * Turns rule actions into incidents: opens one per rule and key, updates the
 * open one on a repeat (raising its severity if the repeat is worse), and
 * carries out the rule's actions — dispatch, brigade, device command — once.
 */
/**
 * A rule keeps firing while its condition holds (every unregistered swipe, every read of a stolen
 * tag): such repeats of an open incident are counted in memory and written at most this often,
 * so a noisy condition costs one SQLite transaction per interval, not one per message.
 */
const REPEAT_WRITE_INTERVAL_MS = 5000;

export class IncidentManager {
  private readonly now: () => number;
  private readonly lastRepeatWrite = new Map<number, { at: number; pending: number }>();

  constructor(private readonly options: IncidentManagerOptions) {
    this.now = options.now ?? Date.now;
  }

  async apply(action: RuleAction): Promise<Incident> {
    const { store } = this.options;
    const at = this.now();
    const evidence = { deviceIds: action.evidence.deviceIds, events: action.evidence.events.length, event: action.event.event };
    // A graver rule about the same place (a second detector confirming a fire) escalates the incident
    // the operators already see, instead of opening a second one beside it.
    const sameSubject = store.findOpenBySubject(action.event.kind, action.event.place, action.event.deviceId);
    const existing =
      store.findOpen(action.ruleId, action.key) ??
      (sameSubject && SEVERITY_RANK[action.severity] < SEVERITY_RANK[sameSubject.severity] ? sameSubject : undefined);
    const raises = existing !== undefined && SEVERITY_RANK[action.severity] < SEVERITY_RANK[existing.severity];
    if (existing && !raises) {
      const mark = this.lastRepeatWrite.get(existing.id);
      if (mark && at - mark.at < REPEAT_WRITE_INTERVAL_MS) {
        mark.pending++;
        return existing;
      }
    }
    const coalesced = existing ? (this.lastRepeatWrite.get(existing.id)?.pending ?? 0) : 0;
    if (existing) this.lastRepeatWrite.set(existing.id, { at, pending: 0 });
    let incident = existing
      ? store.repeat(
          existing.id,
          action.severity,
          action.summary,
          at,
          `rule:${action.ruleId}`,
          { ...evidence, rule: action.ruleId, ...(coalesced ? { repeatsSinceLastEntry: coalesced } : {}) },
          action.title,
          1 + coalesced,
        )
      : store.open(
          {
            ruleId: action.ruleId,
            key: action.key,
            severity: action.severity,
            title: action.title,
            summary: action.summary,
            kind: action.event.kind,
            site: action.event.site,
            deviceId: action.event.deviceId,
            place: action.event.place,
            zone: action.event.zone,
            lon: action.event.lon,
            lat: action.event.lat,
          },
          at,
          `rule:${action.ruleId}`,
          evidence,
        );
    this.options.changed(incident);

    if (action.actions.notifyBrigade && !incident.brigadeNotified) {
      this.options.notifyBrigade(incident, action.title);
      incident = store.get(incident.id)!;
    }
    if (action.actions.deviceCommand && !existing) {
      const { deviceId, command, args } = action.actions.deviceCommand;
      this.options.sendDeviceCommand(deviceId, command, args);
      incident = store.annotate(incident.id, at, `rule:${action.ruleId}`, 'device command sent', {}, { deviceId, command });
    }
    if (action.actions.dispatch && (incident.status === 'open' || incident.status === 'escalated') && incident.teamId === null) {
      const reason = typeof action.actions.dispatch === 'object' ? action.actions.dispatch.reason : undefined;
      try {
        await this.options.dispatcher.dispatch(incident.id, 'dispatcher', reason ? { reason } : {});
      } catch (err) {
        this.options.log.warn({ err, incidentId: incident.id }, 'incident could not be dispatched');
        store.annotate(incident.id, at, 'dispatcher', 'dispatch failed', {}, { error: (err as Error).message });
      }
      incident = store.get(incident.id)!;
      this.options.changed(incident);
    }
    return incident;
  }

  acknowledge(id: number, actor: string): Incident {
    const incident = this.options.store.annotate(id, this.now(), actor, 'acknowledged', { acknowledgedAt: this.now(), acknowledgedBy: actor });
    this.options.changed(incident);
    return incident;
  }

  resolve(id: number, actor: string, note: string): Incident {
    this.lastRepeatWrite.delete(id);
    const incident = this.options.store.transition(id, 'resolved', this.now(), actor, 'resolved', { note }, { note });
    this.options.dispatcher.releaseAll(incident, 'incident resolved');
    this.options.changed(incident);
    return incident;
  }

  cancel(id: number, actor: string, reason: string): Incident {
    this.lastRepeatWrite.delete(id);
    const incident = this.options.store.transition(id, 'cancelled', this.now(), actor, 'cancelled', { note: reason }, { reason });
    this.options.dispatcher.releaseAll(incident, 'incident cancelled');
    this.options.changed(incident);
    return incident;
  }
}
