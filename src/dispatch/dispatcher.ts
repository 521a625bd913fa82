import type { Logger } from 'pino';
import { encodePoint } from '../ingest/line-protocol.js';
import { PointClock } from '../ingest/point-clock.js';
import type { Incident, IncidentStore } from '../incidents/incident-store.js';
import { haversineM } from '../site/geo.js';
import type { TeamRegistry } from '../teams/team-registry.js';
import { chooseTeam, type RankedTeam } from './choose-team.js';
import type { DispatchOrder, DispatchOrders } from './dispatch-orders.js';
import { etasToIncident } from './eta.js';
import type { RoadGraph } from './road-graph.js';

export interface DispatchPolicyConfig {
  /** A team that does not accept within this is skipped for the next (default 30 s). */
  ackWindowMs: number;
  /** A tracker this close to the incident has arrived. */
  arrivalRadiusM: number;
  /** The village's arrival target: three minutes. */
  targetSeconds: number;
  staleAfterMs: number;
}

/**
 * What goes to the team's tracker on its `cmd` topic (docs/mqtt.md): an order (`dispatch`), its end
 * while the incident goes on (`stand-down`: skipped, another team arrived first), or its end because
 * the incident was closed (`closed`, with how: resolved or cancelled).
 */
export interface DispatchOrderMessage {
  type: 'dispatch' | 'stand-down' | 'closed';
  orderId: number;
  incident: { id: number; title: string; severity: string; kind: string; place: string | null; zone: string | null; lon: number | null; lat: number | null };
  etaSeconds?: number;
  distanceM?: number;
  route?: [number, number][];
  acceptWithinSeconds?: number;
  /** `closed` only: how the incident ended. */
  status?: 'resolved' | 'cancelled';
  reason: string;
  issuedAt: number;
}

export interface DispatcherOptions {
  incidents: IncidentStore;
  orders: DispatchOrders;
  teams: TeamRegistry;
  graph(): RoadGraph | undefined;
  sendToTeam(teamId: string, message: DispatchOrderMessage): Promise<void>;
  notifyBrigade(incident: Incident, reason: string): void;
  /** Dispatch records for InfluxDB (line protocol), through the durable outbox. */
  record(lines: string[]): void;
  changed(incident: Incident): void;
  policy: DispatchPolicyConfig;
  log: Logger;
  now?: () => number;
}

export type DispatchOutcome =
  | { status: 'dispatched'; order: DispatchOrder; targetAtRisk: boolean }
  | { status: 'no-team'; reason: string };

export class DispatchError extends Error {
  constructor(
    message: string,
    readonly code: 'no_location' | 'team_unavailable' | 'closed' | 'no_order',
  ) {
    super(message);
  }
}

/** Incident statuses after which nothing more happens. */
export const CLOSED: ReadonlySet<string> = new Set(['resolved', 'cancelled']);
/** Orders a team is still on: sent, accepted, or on site (an arrived order stays so until the incident closes). */
export const ON_ORDER: ReadonlySet<string> = new Set(['sent', 'accepted', 'arrived']);

/**
 * The dispatch loop around the pure choice: sends the order to the fastest
 * team's tracker, skips a team that does not accept in time, escalates when
 * the target is at risk, detects arrival from the tracker and writes the
 * response record. Every step lands in the incident's audit trail.
 */
export class Dispatcher {
  private readonly clock = new PointClock();
  private readonly now: () => number;

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The dispatch policy in force (ack window, arrival radius, target, staleness). */
  get policy(): DispatchPolicyConfig {
    return this.options.policy;
  }

  /** Sends the best team (or `teamId`, chosen by an operator). `additional` keeps the teams already sent. */
  async dispatch(incidentId: number, actor: string, request: { teamId?: string; reason?: string; additional?: boolean } = {}): Promise<DispatchOutcome> {
    const { incidents, orders, teams, policy } = this.options;
    const incident = incidents.get(incidentId);
    if (!incident) throw new DispatchError(`incident ${incidentId} does not exist`, 'no_order');
    if (CLOSED.has(incident.status)) throw new DispatchError(`incident ${incidentId} is ${incident.status}`, 'closed');
    if (incident.lon === null || incident.lat === null) throw new DispatchError(`incident ${incidentId} has no location to send a team to`, 'no_location');
    const graph = this.options.graph();
    if (!graph) throw new DispatchError('no road network is loaded for this site', 'no_location');
    const now = this.now();
    const history = orders.forIncident(incidentId);
    const skipped = history.filter((o) => o.status === 'declined' || o.status === 'timeout').map((o) => o.teamId);
    const choice = chooseTeam(graph, {
      incident: { lon: incident.lon, lat: incident.lat },
      teams: teams.patrolTeams(),
      now,
      skipped: request.teamId ? [] : skipped,
      policy: { targetSeconds: policy.targetSeconds, staleAfterMs: policy.staleAfterMs },
    });

    let pick: RankedTeam | undefined;
    if (request.teamId) {
      pick = choice.ranked.find((r) => r.teamId === request.teamId);
      if (!pick) {
        const excluded = choice.excluded.find((e) => e.teamId === request.teamId);
        const team = teams.get(request.teamId);
        // An operator may send a team the automatic choice would not (e.g. one already out), if it has a position.
        if (team && team.lon !== null && team.lat !== null && excluded?.reason !== 'unreachable') {
          const eta = etasToIncident(graph, { lon: incident.lon, lat: incident.lat }, [{ id: team.id, lon: team.lon, lat: team.lat }]).teams[0];
          if (eta && Number.isFinite(eta.etaSeconds)) {
            pick = { teamId: team.id, etaSeconds: eta.etaSeconds, distanceM: eta.distanceM, route: eta.route, straightLineM: haversineM(team.lon, team.lat, incident.lon, incident.lat) };
          }
        }
        if (!pick) throw new DispatchError(`team ${request.teamId} cannot be sent: ${excluded?.detail ?? 'unknown team or no position'}`, 'team_unavailable');
      }
    } else {
      pick = choice.best;
    }

    if (!pick) {
      const reason = choice.excluded.length ? choice.excluded.map((e) => `${e.teamId}: ${e.reason}`).join(', ') : 'no teams registered';
      const updated = incidents.annotate(incidentId, now, actor, 'no team available', { targetAtRisk: true }, { excluded: choice.excluded });
      this.options.changed(updated);
      this.escalateFire(updated, 'no patrol team can be dispatched');
      return { status: 'no-team', reason };
    }

    const reason = request.reason ?? (request.teamId ? `chosen by ${actor}` : skipped.length ? 'next-best after a skip' : 'fastest available team');
    const order = orders.create({
      incidentId,
      teamId: pick.teamId,
      sentAt: now,
      ackDeadline: now + policy.ackWindowMs,
      etaSeconds: pick.etaSeconds,
      distanceM: pick.distanceM,
      route: pick.route,
      reason,
      actor,
    });
    teams.assign(pick.teamId, incidentId);
    const targetAtRisk = pick.etaSeconds > policy.targetSeconds;
    const detail = {
      orderId: order.id,
      teamId: pick.teamId,
      etaSeconds: Math.round(pick.etaSeconds),
      distanceM: Math.round(pick.distanceM),
      reason,
      ranked: choice.ranked.slice(0, 5).map((r) => ({ teamId: r.teamId, etaSeconds: Math.round(r.etaSeconds) })),
      excluded: choice.excluded,
    };
    const primary = !request.additional || incident.teamId === null;
    const changes = primary
      ? { teamId: pick.teamId, etaSeconds: pick.etaSeconds, dispatchedAt: incident.dispatchedAt ?? now, targetAtRisk: incident.targetAtRisk || targetAtRisk }
      : { targetAtRisk: incident.targetAtRisk || targetAtRisk };
    let updated =
      incident.status === 'open' || incident.status === 'dispatched'
        ? incidents.transition(incidentId, 'dispatched', now, actor, request.additional ? 'additional team dispatched' : 'team dispatched', changes, detail)
        : incidents.annotate(incidentId, now, actor, request.additional ? 'additional team dispatched' : 'team dispatched', changes, detail);
    this.recordOrder(updated, order, targetAtRisk);
    await this.options
      .sendToTeam(pick.teamId, this.orderMessage('dispatch', order, updated, reason))
      .catch((err: unknown) => this.options.log.error({ err, teamId: pick.teamId, incidentId }, 'dispatch order could not be published'));

    if (targetAtRisk && !request.additional) {
      updated = incidents.transition(incidentId, 'escalated', now, 'dispatcher', 'target at risk', { targetAtRisk: true }, {
        bestEtaSeconds: Math.round(pick.etaSeconds),
        targetSeconds: policy.targetSeconds,
      });
      const second = choice.ranked.find((r) => r.teamId !== pick.teamId);
      if (second) await this.dispatch(incidentId, 'dispatcher', { teamId: second.teamId, reason: 'second team: arrival target at risk', additional: true });
      this.escalateFire(incidents.get(incidentId)!, `best ETA ${Math.round(pick.etaSeconds)} s exceeds the ${policy.targetSeconds} s target`);
    }
    this.options.changed(incidents.get(incidentId)!);
    return { status: 'dispatched', order, targetAtRisk };
  }

  /** The team accepted (tracker or team page). Either may say it first: a second accept changes nothing. */
  accept(teamId: string, actor: string, incidentId?: number): Incident {
    const order = this.activeOrder(teamId, incidentId);
    if (order.status === 'accepted') return this.options.incidents.get(order.incidentId)!;
    const now = this.now();
    this.options.orders.settle(order.id, 'accepted', now);
    const incident = this.options.incidents.get(order.incidentId)!;
    const detail = { orderId: order.id, teamId, secondsToAccept: Math.round((now - order.sentAt) / 1000) };
    const updated =
      incident.status === 'dispatched' || incident.status === 'escalated'
        ? this.options.incidents.transition(incident.id, 'accepted', now, actor, 'team accepted', { acceptedAt: now, teamId, etaSeconds: order.etaSeconds }, detail)
        : this.options.incidents.annotate(incident.id, now, actor, 'team accepted', {}, detail);
    this.options.changed(updated);
    return updated;
  }

  /** The team declined: skip it and send the next-best. */
  async decline(teamId: string, actor: string, incidentId?: number): Promise<void> {
    const order = this.activeOrder(teamId, incidentId);
    await this.skip(order, 'declined', actor, 'team declined');
  }

  /** Ack timeouts; call every second. */
  async tick(): Promise<void> {
    for (const order of this.options.orders.overdue(this.now())) {
      await this.skip(order, 'timeout', 'dispatcher', `no accept within ${Math.round(this.options.policy.ackWindowMs / 1000)} s`);
    }
  }

  /** Tracker position: arrival detection. */
  position(teamId: string, lon: number, lat: number): void {
    const order = this.options.orders.activeForTeam(teamId);
    if (!order) return;
    const incident = this.options.incidents.get(order.incidentId);
    if (!incident || incident.lon === null || incident.lat === null) return;
    if (haversineM(lon, lat, incident.lon, incident.lat) <= this.options.policy.arrivalRadiusM) this.arrive(teamId, 'tracker');
  }

  /** The team is on site: from the tracker's position, its "arrived" event or the team page. */
  arrive(teamId: string, actor: string, incidentId?: number): Incident {
    // Arrival seen from the tracker's position first, then said by the crew (tracker or team page): already so.
    const onSite = incidentId === undefined ? undefined : this.options.orders.forIncident(incidentId).find((o) => o.teamId === teamId && o.status === 'arrived');
    if (onSite && this.options.orders.activeForTeam(teamId)?.incidentId !== incidentId) return this.options.incidents.get(onSite.incidentId)!;
    const order = this.activeOrder(teamId, incidentId);
    const now = this.now();
    const { incidents, orders } = this.options;
    orders.settle(order.id, 'arrived', now);
    const incident = incidents.get(order.incidentId)!;
    if (incident.arrivedAt !== null) {
      const updated = incidents.annotate(incident.id, now, actor, 'another team arrived', {}, { teamId, orderId: order.id });
      this.options.changed(updated);
      return updated;
    }
    const responseSeconds = (now - incident.openedAt) / 1000;
    const targetMet = responseSeconds <= this.options.policy.targetSeconds;
    const updated = incidents.transition(incident.id, 'arrived', now, actor, 'team arrived', { arrivedAt: now, responseSeconds, teamId }, {
      teamId,
      orderId: order.id,
      responseSeconds: Math.round(responseSeconds),
      etaSeconds: Math.round(order.etaSeconds),
      targetMet,
    });
    const line = encodePoint(
      {
        measurement: 'dispatch_response',
        tags: { site: incident.site, team: teamId, zone: incident.zone ?? 'none', kind: incident.kind, rule: incident.ruleId, severity: incident.severity, target_met: String(targetMet) },
        fields: { response_s: responseSeconds, eta_s: order.etaSeconds, incident_id: String(incident.id), to_accept_s: order.answeredAt ? (order.answeredAt - order.sentAt) / 1000 : responseSeconds },
        timeNs: this.clock.stamp(now),
      },
      { response_s: 'float', eta_s: 'float', incident_id: 'string', to_accept_s: 'float' },
    );
    if (line) this.options.record([line]);
    // Other teams still on their way can stand down.
    for (const other of orders.forIncident(incident.id)) {
      if (other.id !== order.id && (other.status === 'sent' || other.status === 'accepted')) this.release(other, updated, 'another team arrived first');
    }
    this.options.changed(updated);
    return updated;
  }

  /**
   * Resolve / cancel: every team still on the incident — on its way or on site — is released and
   * its tracker told the order is `closed`. A team already sent elsewhere keeps that assignment.
   */
  releaseAll(incident: Incident, reason: string): void {
    const { orders, teams } = this.options;
    const now = this.now();
    for (const order of orders.forIncident(incident.id)) {
      if (!ON_ORDER.has(order.status)) continue;
      // An arrived order keeps its outcome; one still on its way ends here.
      if (order.status !== 'arrived') orders.settle(order.id, 'released', now);
      if (teams.get(order.teamId)?.incidentId === incident.id) teams.assign(order.teamId, null);
      this.options
        .sendToTeam(order.teamId, this.orderMessage('closed', order, incident, reason))
        .catch((err: unknown) => this.options.log.warn({ err, teamId: order.teamId, incidentId: incident.id }, 'order closed: tracker not told'));
    }
  }

  private release(order: DispatchOrder, incident: Incident, reason: string): void {
    this.options.orders.settle(order.id, 'released', this.now());
    this.options.teams.assign(order.teamId, null);
    this.options.sendToTeam(order.teamId, this.orderMessage('stand-down', order, incident, reason)).catch(() => undefined);
  }

  private async skip(order: DispatchOrder, status: 'declined' | 'timeout', actor: string, why: string): Promise<void> {
    const now = this.now();
    this.options.orders.settle(order.id, status, now);
    this.options.teams.assign(order.teamId, null);
    const incident = this.options.incidents.get(order.incidentId)!;
    this.options.sendToTeam(order.teamId, this.orderMessage('stand-down', order, incident, why)).catch(() => undefined);
    const updated = this.options.incidents.annotate(incident.id, now, actor, 'team skipped', {}, { teamId: order.teamId, orderId: order.id, why });
    this.options.changed(updated);
    if (CLOSED.has(updated.status) || updated.status === 'arrived') return;
    const stillCovered = this.options.orders.forIncident(incident.id).some((o) => o.status === 'sent' || o.status === 'accepted');
    if (stillCovered && order.teamId !== updated.teamId) return;
    try {
      await this.dispatch(incident.id, 'dispatcher', { reason: `next-best: ${order.teamId} ${status === 'timeout' ? 'did not accept in time' : 'declined'}`, additional: stillCovered });
    } catch (err) {
      this.options.log.warn({ err, incidentId: incident.id }, 'could not dispatch the next team');
    }
  }

  private activeOrder(teamId: string, incidentId?: number): DispatchOrder {
    const order = this.options.orders.activeForTeam(teamId);
    if (!order || (incidentId !== undefined && order.incidentId !== incidentId)) {
      throw new DispatchError(`team ${teamId} has no open order${incidentId !== undefined ? ` for incident ${incidentId}` : ''}`, 'no_order');
    }
    return order;
  }

  private escalateFire(incident: Incident, reason: string): void {
    if (incident.kind !== 'fire' || incident.brigadeNotified) return;
    this.options.notifyBrigade(incident, reason);
  }

  private recordOrder(incident: Incident, order: DispatchOrder, targetAtRisk: boolean): void {
    const line = encodePoint(
      {
        measurement: 'dispatch_order',
        tags: { site: incident.site, team: order.teamId, zone: incident.zone ?? 'none', kind: incident.kind, rule: incident.ruleId, severity: incident.severity },
        fields: { incident_id: String(incident.id), eta_s: order.etaSeconds, distance_m: order.distanceM, target_at_risk: targetAtRisk, reason: order.reason },
        timeNs: this.clock.stamp(order.sentAt),
      },
      { incident_id: 'string', eta_s: 'float', distance_m: 'float', target_at_risk: 'boolean', reason: 'string' },
    );
    if (line) this.options.record([line]);
  }

  /** The order as its tracker gets it on `cmd`; the team page shows the same (`GET /api/teams/mine/order`). */
  orderMessage(type: DispatchOrderMessage['type'], order: DispatchOrder, incident: Incident, reason: string): DispatchOrderMessage {
    return {
      type,
      orderId: order.id,
      incident: { id: incident.id, title: incident.title, severity: incident.severity, kind: incident.kind, place: incident.place, zone: incident.zone, lon: incident.lon, lat: incident.lat },
      ...(type === 'dispatch'
        ? {
            etaSeconds: Math.round(order.etaSeconds),
            distanceM: Math.round(order.distanceM),
            route: order.route.map(([lon, lat]) => [lon, lat] as [number, number]),
            acceptWithinSeconds: Math.round(this.options.policy.ackWindowMs / 1000),
          }
        : {}),
      ...(type === 'closed' && (incident.status === 'resolved' || incident.status === 'cancelled') ? { status: incident.status } : {}),
      reason,
      issuedAt: this.now(),
    };
  }
}
