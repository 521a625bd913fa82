import type { Incident, IncidentStore } from '../incidents/incident-store.js';
import type { TeamRegistry, TeamView } from '../teams/team-registry.js';
import type { DispatchOrders, OrderStatus } from './dispatch-orders.js';
import type { Dispatcher, DispatchOrderMessage } from './dispatcher.js';

/**
 * The order a team is on, as its phone shows it (`GET /api/teams/mine/order`): exactly what its
 * tracker got on `cmd` (the `dispatch` message), plus where the order stands and the incident's
 * clock, so the page can count against the arrival target since the alarm.
 */
export interface TeamOrder extends Omit<DispatchOrderMessage, 'type' | 'incident' | 'status'> {
  /** sent (waiting for the team's accept), accepted, or arrived (on site until the incident is closed). */
  status: Extract<OrderStatus, 'sent' | 'accepted' | 'arrived'>;
  sentAt: number;
  /** The accept must come before this (epoch ms), or the next team is sent. */
  ackDeadline: number;
  answeredAt: number | null;
  incident: DispatchOrderMessage['incident'] & Pick<Incident, 'ruleId' | 'key' | 'deviceId' | 'status' | 'openedAt' | 'dispatchedAt' | 'acceptedAt' | 'arrivedAt' | 'responseSeconds' | 'targetAtRisk' | 'brigadeNotified'>;
}

export interface TeamOrderView {
  /** The team with its live state (position from its tracker), or null when the account's team is no longer registered. */
  team: Pick<TeamView, 'id' | 'name' | 'status' | 'reportedStatus' | 'lon' | 'lat' | 'speedKmh' | 'lastSeenAt' | 'incidentId'> | null;
  order: TeamOrder | null;
  /** The arrival target (s) the clock counts against, and how long a silent tracker's position is trusted (ms). */
  settings: { targetSeconds: number; teamStaleAfterMs: number; ackWindowSeconds: number };
  /** The gateway's clock (epoch ms), so a phone with a wrong clock still counts right. */
  serverTime: number;
}

export interface TeamOrderSources {
  orders: Pick<DispatchOrders, 'currentForTeam'>;
  incidents: Pick<IncidentStore, 'get'>;
  teams: Pick<TeamRegistry, 'get'>;
  dispatcher: Pick<Dispatcher, 'orderMessage' | 'policy'>;
}

export function teamOrderView(sources: TeamOrderSources, teamId: string, now: number): TeamOrderView {
  const team = sources.teams.get(teamId);
  const policy = sources.dispatcher.policy;
  const settings = { targetSeconds: policy.targetSeconds, teamStaleAfterMs: policy.staleAfterMs, ackWindowSeconds: Math.round(policy.ackWindowMs / 1000) };
  const view: TeamOrderView = {
    team: team
      ? { id: team.id, name: team.name, status: team.status, reportedStatus: team.reportedStatus, lon: team.lon, lat: team.lat, speedKmh: team.speedKmh, lastSeenAt: team.lastSeenAt, incidentId: team.incidentId }
      : null,
    order: null,
    settings,
    serverTime: now,
  };
  const order = sources.orders.currentForTeam(teamId);
  const incident = order ? sources.incidents.get(order.incidentId) : undefined;
  if (!order || !incident || (order.status !== 'sent' && order.status !== 'accepted' && order.status !== 'arrived')) return view;
  // The tracker's own message, so the page and the tracker can never disagree about the order.
  const { type: _type, status: _status, incident: sent, ...message } = sources.dispatcher.orderMessage('dispatch', order, incident, order.reason);
  view.order = {
    ...message,
    // When the order was issued, not when the page asked.
    issuedAt: order.sentAt,
    status: order.status,
    sentAt: order.sentAt,
    ackDeadline: order.ackDeadline,
    answeredAt: order.answeredAt,
    incident: {
      ...sent,
      ruleId: incident.ruleId,
      key: incident.key,
      deviceId: incident.deviceId,
      status: incident.status,
      openedAt: incident.openedAt,
      dispatchedAt: incident.dispatchedAt,
      acceptedAt: incident.acceptedAt,
      arrivedAt: incident.arrivedAt,
      responseSeconds: incident.responseSeconds,
      targetAtRisk: incident.targetAtRisk,
      brigadeNotified: incident.brigadeNotified,
    },
  };
  return view;
}
