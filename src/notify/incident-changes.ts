import { SEVERITY_RANK, type Incident, type IncidentStatus } from '../incidents/incident-store.js';
import type { Severity } from '../rules/types.js';

/** What the brigade was last told about an incident. */
export interface PushedState {
  status: IncidentStatus;
  severity: Severity;
  teamId: string | null;
}

/** One thing that changed since the last push. */
export type IncidentChange =
  | 'dispatched'
  | 'redispatched'
  | 'accepted'
  | 'arrived'
  | 'escalated'
  | 'reopened'
  | 'resolved'
  | 'cancelled'
  | 'severity_raised'
  | 'severity_lowered';

/** The update kind of a delivery: the first push, or the main change of an update. */
export type UpdateKind = 'opened' | IncidentChange;

export const WEBHOOK_EVENT_TYPES = ['incident.opened', 'incident.updated', 'incident.resolved', 'incident.cancelled'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const STATUS_CHANGE: Record<IncidentStatus, IncidentChange> = {
  open: 'reopened',
  dispatched: 'dispatched',
  accepted: 'accepted',
  arrived: 'arrived',
  escalated: 'escalated',
  resolved: 'resolved',
  cancelled: 'cancelled',
};

export const stateOf = (incident: Incident): PushedState => ({ status: incident.status, severity: incident.severity, teamId: incident.teamId });

export const isClosed = (status: IncidentStatus): boolean => status === 'resolved' || status === 'cancelled';

/**
 * What the brigade has not been told yet, the lifecycle move first. Only status,
 * severity and team count: an acknowledgement or a new ETA is not pushed.
 */
export function changesBetween(before: PushedState, after: PushedState): IncidentChange[] {
  const changes: IncidentChange[] = [];
  if (after.status !== before.status) changes.push(STATUS_CHANGE[after.status]);
  else if (after.teamId !== before.teamId && after.teamId !== null) changes.push('redispatched');
  if (after.severity !== before.severity) {
    changes.push(SEVERITY_RANK[after.severity] < SEVERITY_RANK[before.severity] ? 'severity_raised' : 'severity_lowered');
  }
  return changes;
}

export function eventTypeOf(kind: UpdateKind): WebhookEventType {
  if (kind === 'opened') return 'incident.opened';
  if (kind === 'resolved') return 'incident.resolved';
  if (kind === 'cancelled') return 'incident.cancelled';
  return 'incident.updated';
}

/** The incident as the brigade sees it: no rule key (it may hold a card hash), no operator names, no free-text notes. */
export interface PublicIncident {
  id: number;
  title: string;
  summary: string;
  kind: string;
  severity: Severity;
  status: IncidentStatus;
  site: string;
  deviceId: string;
  ruleId: string;
  place: string | null;
  zone: string | null;
  lon: number | null;
  lat: number | null;
  openedAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  teamId: string | null;
  etaSeconds: number | null;
  targetAtRisk: boolean;
  dispatchedAt: number | null;
  acceptedAt: number | null;
  arrivedAt: number | null;
  closedAt: number | null;
  responseSeconds: number | null;
}

export function publicIncident(i: Incident): PublicIncident {
  return {
    id: i.id,
    title: i.title,
    summary: i.summary,
    kind: i.kind,
    severity: i.severity,
    status: i.status,
    site: i.site,
    deviceId: i.deviceId,
    ruleId: i.ruleId,
    place: i.place,
    zone: i.zone,
    lon: i.lon,
    lat: i.lat,
    openedAt: i.openedAt,
    updatedAt: i.updatedAt,
    acknowledgedAt: i.acknowledgedAt,
    teamId: i.teamId,
    etaSeconds: i.etaSeconds,
    targetAtRisk: i.targetAtRisk,
    dispatchedAt: i.dispatchedAt,
    acceptedAt: i.acceptedAt,
    arrivedAt: i.arrivedAt,
    closedAt: i.closedAt,
    responseSeconds: i.responseSeconds,
  };
}

/** The JSON body of one webhook, frozen when it is enqueued so every retry sends the same bytes. */
export interface WebhookPayload {
  /** The idempotency key; equal to the Idempotency-Key header. */
  id: string;
  type: WebhookEventType;
  /** The update kind this event is about (the main one when several changed at once). */
  update: UpdateKind;
  /** Every change since the previous event (empty for incident.opened). */
  changes: IncidentChange[];
  /** Per incident, grows by one with every pushed change; a receiver can drop anything older than what it has. */
  sequence: number;
  /** Epoch ms of the change (the incident's updatedAt). */
  occurredAt: number;
  incident: PublicIncident;
  previous?: PushedState;
  reason?: string;
}

/** Stable for one subscription, incident, update kind and state version: a retry, even after a restart, carries the same key. */
export const idempotencyKey = (subscriptionId: string, incidentId: number, version: number, kind: UpdateKind): string =>
  `${subscriptionId}.inc${incidentId}.v${version}.${kind}`;
