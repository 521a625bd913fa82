import type { Incident } from '../incidents/incident-store.js';
import type { SqliteDatabase } from '../store/sqlite.js';
import {
  changesBetween,
  eventTypeOf,
  idempotencyKey,
  isClosed,
  publicIncident,
  stateOf,
  type PushedState,
  type UpdateKind,
  type WebhookEventType,
  type WebhookPayload,
} from './incident-changes.js';
import type { BrigadeSubscription } from './subscriptions.js';

export { WebhookDispatcher, type WebhookDispatcherOptions } from './webhook-dispatcher.js';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'dead'] as const;
/** pending: waiting or being retried; delivered: a 2xx came back; failed: refused for good (4xx); dead: given up after the retry horizon. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const ATTEMPT_OUTCOMES = ['delivered', 'retry', 'failed', 'dead', 'aborted'] as const;
export type AttemptOutcomeRecord = (typeof ATTEMPT_OUTCOMES)[number];

export interface Delivery {
  id: number;
  subscriptionId: string;
  incidentId: number;
  /** The incident's push sequence this delivery carries. */
  version: number;
  type: WebhookEventType;
  update: UpdateKind;
  idempotencyKey: string;
  status: DeliveryStatus;
  /** Attempts since it was enqueued or last retried by hand (the attempt log keeps them all). */
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  /** The retry horizon counts from here: the enqueue, or the last retry by hand. */
  retrySince: number;
  updatedAt: number;
  deliveredAt: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
}

export interface DeliveryAttempt {
  id: number;
  deliveryId: number;
  at: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  outcome: AttemptOutcomeRecord;
}

/** A delivery ready to send, with what is needed to send it. */
export interface DueDelivery extends Delivery {
  body: string;
  url: string;
  secret: string;
}

export interface DeliveryFilter {
  subscriptionId?: string | undefined;
  incidentId?: number | undefined;
  status?: DeliveryStatus | undefined;
  beforeId?: number | undefined;
  limit: number;
}

/** How an attempt ended and what becomes of the delivery. */
export interface AttemptRecord {
  at: number;
  statusCode?: number | undefined;
  error?: string | undefined;
  durationMs: number;
  outcome: AttemptOutcomeRecord;
  /** For outcome 'retry': when to try again. */
  nextAttemptAt?: number | undefined;
}

/** Which enabled subscriptions want this incident (kind and severity). */
export type SubscriptionMatcher = (incident: Incident) => BrigadeSubscription[];

type Row = Record<string, unknown>;

type Tracked = PushedState & { version: number; seenUpdatedAt: number };

function deliveryFromRow(row: Row): Delivery {
  return {
    id: row.id as number,
    subscriptionId: row.subscription_id as string,
    incidentId: row.incident_id as number,
    version: row.version as number,
    type: row.type as WebhookEventType,
    update: row.update_kind as UpdateKind,
    idempotencyKey: row.idempotency_key as string,
    status: row.status as DeliveryStatus,
    attempts: row.attempts as number,
    nextAttemptAt: row.next_attempt_at as number,
    createdAt: row.created_at as number,
    retrySince: row.retry_since as number,
    updatedAt: row.updated_at as number,
    deliveredAt: (row.delivered_at as number | null) ?? null,
    lastStatusCode: (row.last_status_code as number | null) ?? null,
    lastError: (row.last_error as string | null) ?? null,
  };
}

function attemptFromRow(row: Row): DeliveryAttempt {
  return {
    id: row.id as number,
    deliveryId: row.delivery_id as number,
    at: row.at as number,
    statusCode: (row.status_code as number | null) ?? null,
    error: (row.error as string | null) ?? null,
    durationMs: row.duration_ms as number,
    outcome: row.outcome as AttemptOutcomeRecord,
  };
}

/** A pending delivery is sendable only when no earlier delivery of the same subscription and incident is still pending. */
const HEAD_OF_CHAIN = `
  d.status = 'pending' AND s.enabled = 1
  AND d.id NOT IN (SELECT value FROM json_each(?))
  AND NOT EXISTS (SELECT 1 FROM brigade_deliveries p
                  WHERE p.subscription_id = d.subscription_id AND p.incident_id = d.incident_id AND p.status = 'pending' AND p.id < d.id)`;

/**
 * The durable brigade outbox in gateway.db. Turns bus events into deliveries
 * (one per subscription, each with a stable idempotency key and a frozen body),
 * hands the dispatcher what is due in order, and keeps every attempt.
 */
export class WebhookOutbox {
  private readonly now: () => number;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly db: SqliteDatabase,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Called after anything new became sendable (the dispatcher wakes up). */
  onEnqueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The brigade must be told: the first push of this incident to every matching subscription. Returns how many deliveries were enqueued. */
  brigadeTold(incident: Incident, reason: string, matching: SubscriptionMatcher): number {
    const count = this.db.transaction(() => {
      const tracked = this.tracked(incident.id);
      if (!tracked) {
        const at = this.now();
        this.db
          .prepare('INSERT INTO brigade_incidents (incident_id, status, severity, team_id, version, seen_updated_at, pushed_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?)')
          .run(incident.id, incident.status, incident.severity, incident.teamId, incident.updatedAt, at, at);
        let enqueued = 0;
        for (const subscription of matching(incident)) enqueued += this.enqueueOpened(subscription.id, incident, 1, reason);
        return enqueued;
      }
      return this.sync(incident, tracked, matching, reason);
    })();
    this.notify(count);
    return count;
  }

  /** An incident changed: if the brigade was told about it, push what changed (status, severity, team). */
  incidentChanged(incident: Incident, matching: SubscriptionMatcher): number {
    const count = this.db.transaction(() => {
      const tracked = this.tracked(incident.id);
      return tracked ? this.sync(incident, tracked, matching) : 0;
    })();
    this.notify(count);
    return count;
  }

  /** Up to `limit` deliveries due now, each the head of its subscription+incident chain, skipping those in flight. */
  due(limit: number, inFlight: ReadonlySet<number>): DueDelivery[] {
    const rows = this.db
      .prepare(
        `SELECT d.*, s.url AS url, s.secret AS secret FROM brigade_deliveries d JOIN brigade_subscriptions s ON s.id = d.subscription_id
         WHERE ${HEAD_OF_CHAIN} AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?`,
      )
      .all(JSON.stringify([...inFlight]), this.now(), limit) as Row[];
    return rows.map((row) => ({ ...deliveryFromRow(row), body: row.body as string, url: row.url as string, secret: row.secret as string }));
  }

  /** When the next delivery (not in flight) becomes due; undefined when none is waiting. */
  nextDueAt(inFlight: ReadonlySet<number>): number | undefined {
    const row = this.db
      .prepare(`SELECT MIN(d.next_attempt_at) AS at FROM brigade_deliveries d JOIN brigade_subscriptions s ON s.id = d.subscription_id WHERE ${HEAD_OF_CHAIN}`)
      .get(JSON.stringify([...inFlight])) as { at: number | null };
    return row.at ?? undefined;
  }

  /** Logs one attempt and moves the delivery on; false when the delivery is gone (its subscription was deleted). */
  recordAttempt(id: number, attempt: AttemptRecord): boolean {
    return this.db.transaction(() => {
      const current = this.db.prepare('SELECT status FROM brigade_deliveries WHERE id = ?').get(id) as { status: DeliveryStatus } | undefined;
      if (!current) return false;
      this.db
        .prepare('INSERT INTO brigade_attempts (delivery_id, at, status_code, error, duration_ms, outcome) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, attempt.at, attempt.statusCode ?? null, attempt.error ?? null, attempt.durationMs, attempt.outcome);
      if (attempt.outcome === 'aborted') return true;
      const status: DeliveryStatus = attempt.outcome === 'retry' ? 'pending' : attempt.outcome;
      this.db
        .prepare(
          `UPDATE brigade_deliveries SET status = ?, attempts = attempts + 1, updated_at = ?, last_status_code = ?, last_error = ?,
             next_attempt_at = COALESCE(?, next_attempt_at), delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END
           WHERE id = ?`,
        )
        .run(status, attempt.at, attempt.statusCode ?? null, attempt.error ?? null, attempt.nextAttemptAt ?? null, status, attempt.at, id);
      return true;
    })();
  }

  get(id: number): Delivery | undefined {
    const row = this.db.prepare('SELECT * FROM brigade_deliveries WHERE id = ?').get(id) as Row | undefined;
    return row ? deliveryFromRow(row) : undefined;
  }

  /** The body exactly as it is (and will be) sent. */
  body(id: number): WebhookPayload | undefined {
    const row = this.db.prepare('SELECT body FROM brigade_deliveries WHERE id = ?').get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as WebhookPayload) : undefined;
  }

  /** Newest first. */
  list(filter: DeliveryFilter): Delivery[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.subscriptionId !== undefined) {
      where.push('subscription_id = ?');
      params.push(filter.subscriptionId);
    }
    if (filter.incidentId !== undefined) {
      where.push('incident_id = ?');
      params.push(filter.incidentId);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.beforeId !== undefined) {
      where.push('id < ?');
      params.push(filter.beforeId);
    }
    const rows = this.db
      .prepare(`SELECT * FROM brigade_deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
      .all(...params, filter.limit) as Row[];
    return rows.map(deliveryFromRow);
  }

  /** The attempt log of one delivery, newest first. */
  attempts(deliveryId: number, limit = 50): DeliveryAttempt[] {
    return (this.db.prepare('SELECT * FROM brigade_attempts WHERE delivery_id = ? ORDER BY id DESC LIMIT ?').all(deliveryId, limit) as Row[]).map(attemptFromRow);
  }

  /**
   * Sends a failed, dead or waiting delivery again, now, with the same key and body; its
   * attempt count and retry horizon start afresh (the attempt log keeps the history).
   * 'delivered' when it already was (nothing to do), undefined when it does not exist.
   */
  retry(id: number): Delivery | 'delivered' | undefined {
    const current = this.get(id);
    if (!current) return undefined;
    if (current.status === 'delivered') return 'delivered';
    const at = this.now();
    this.db.prepare("UPDATE brigade_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, retry_since = ?, updated_at = ? WHERE id = ?").run(at, at, at, id);
    this.notify(1);
    return this.get(id);
  }

  /**
   * Forgets incidents closed before `before` (epoch ms) with nothing left pending: their
   * deliveries, attempt logs and pushed state. Returns how many deliveries were removed.
   */
  prune(before: number): number {
    return this.db.transaction(() => {
      const incidents = this.db
        .prepare(
          `SELECT incident_id AS id FROM brigade_incidents i WHERE status IN ('resolved', 'cancelled') AND updated_at < ?
           AND NOT EXISTS (SELECT 1 FROM brigade_deliveries d WHERE d.incident_id = i.incident_id AND d.status = 'pending')`,
        )
        .all(before) as { id: number }[];
      let removed = 0;
      for (const { id } of incidents) {
        removed += this.db.prepare('DELETE FROM brigade_deliveries WHERE incident_id = ?').run(id).changes;
        this.db.prepare('DELETE FROM brigade_incidents WHERE incident_id = ?').run(id);
      }
      return removed;
    })();
  }

  /** Deliveries per status (for metrics and readiness). */
  counts(): Record<DeliveryStatus, number> {
    const counts: Record<DeliveryStatus, number> = { pending: 0, delivered: 0, failed: 0, dead: 0 };
    for (const row of this.db.prepare('SELECT status, COUNT(*) AS n FROM brigade_deliveries GROUP BY status').all() as { status: DeliveryStatus; n: number }[]) {
      counts[row.status] = row.n;
    }
    return counts;
  }

  private tracked(incidentId: number): Tracked | undefined {
    const row = this.db.prepare('SELECT status, severity, team_id, version, seen_updated_at FROM brigade_incidents WHERE incident_id = ?').get(incidentId) as Row | undefined;
    return row
      ? {
          status: row.status as PushedState['status'],
          severity: row.severity as PushedState['severity'],
          teamId: (row.team_id as string | null) ?? null,
          version: row.version as number,
          seenUpdatedAt: row.seen_updated_at as number,
        }
      : undefined;
  }

  /** Pushes the changes since the last state to every subscription already told, and the opening to matching ones not told yet. */
  private sync(incident: Incident, tracked: Tracked, matching: SubscriptionMatcher, reason?: string): number {
    // Events come in order; one older than what was already seen is a replay of a past state, not a change.
    if (incident.updatedAt < tracked.seenUpdatedAt) return 0;
    const changes = changesBetween(tracked, stateOf(incident));
    if (changes.length === 0 && incident.updatedAt > tracked.seenUpdatedAt) {
      this.db.prepare('UPDATE brigade_incidents SET seen_updated_at = ? WHERE incident_id = ?').run(incident.updatedAt, incident.id);
    }
    let version = tracked.version;
    let enqueued = 0;
    const told = new Set(
      (this.db.prepare("SELECT DISTINCT subscription_id AS id FROM brigade_deliveries WHERE incident_id = ? AND update_kind = 'opened'").all(incident.id) as { id: string }[]).map((r) => r.id),
    );
    if (changes.length > 0) {
      version++;
      this.db
        .prepare('UPDATE brigade_incidents SET status = ?, severity = ?, team_id = ?, version = ?, seen_updated_at = ?, updated_at = ? WHERE incident_id = ?')
        .run(incident.status, incident.severity, incident.teamId, version, incident.updatedAt, this.now(), incident.id);
      const update = changes[0]!;
      const previous: PushedState = { status: tracked.status, severity: tracked.severity, teamId: tracked.teamId };
      const enabled = this.db.prepare('SELECT id FROM brigade_subscriptions WHERE enabled = 1').all() as { id: string }[];
      for (const { id } of enabled) {
        if (!told.has(id)) continue;
        enqueued += this.insert(id, incident, version, update, {
          id: idempotencyKey(id, incident.id, version, update),
          type: eventTypeOf(update),
          update,
          changes,
          sequence: version,
          occurredAt: incident.updatedAt,
          incident: publicIncident(incident),
          previous,
          ...(reason !== undefined ? { reason } : {}),
        });
      }
    }
    if (!isClosed(incident.status)) {
      const why = reason ?? (changes.includes('severity_raised') ? `severity raised to ${incident.severity}` : undefined);
      for (const subscription of matching(incident)) {
        if (!told.has(subscription.id)) enqueued += this.enqueueOpened(subscription.id, incident, version, why);
      }
    }
    return enqueued;
  }

  private enqueueOpened(subscriptionId: string, incident: Incident, version: number, reason: string | undefined): number {
    return this.insert(subscriptionId, incident, version, 'opened', {
      id: idempotencyKey(subscriptionId, incident.id, version, 'opened'),
      type: 'incident.opened',
      update: 'opened',
      changes: [],
      sequence: version,
      occurredAt: incident.updatedAt,
      incident: publicIncident(incident),
      ...(reason !== undefined ? { reason } : {}),
    });
  }

  private insert(subscriptionId: string, incident: Incident, version: number, update: UpdateKind, payload: WebhookPayload): number {
    const at = this.now();
    return this.db
      .prepare(
        `INSERT OR IGNORE INTO brigade_deliveries (subscription_id, incident_id, version, type, update_kind, idempotency_key, body, status, next_attempt_at, created_at, retry_since, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)`,
      )
      .run(subscriptionId, incident.id, version, payload.type, update, payload.id, JSON.stringify(payload), at, at, at, at).changes;
  }

  private notify(count: number): void {
    if (count === 0) return;
    for (const listener of this.listeners) listener();
  }
}
