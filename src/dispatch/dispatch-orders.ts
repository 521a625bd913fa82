import type { SqliteDatabase } from '../store/sqlite.js';
import type { LonLat } from '../site/site.js';

export const ORDER_STATUSES = ['sent', 'accepted', 'declined', 'timeout', 'arrived', 'cancelled', 'released'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface DispatchOrder {
  id: number;
  incidentId: number;
  teamId: string;
  status: OrderStatus;
  sentAt: number;
  ackDeadline: number;
  answeredAt: number | null;
  etaSeconds: number;
  distanceM: number;
  route: LonLat[];
  /** Why this team: best ETA, next after a skip, second team for a target at risk, manual. */
  reason: string;
  actor: string;
}

export const DISPATCH_ORDER_MIGRATION = `
  CREATE TABLE dispatch_orders (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    team_id      TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    sent_at      INTEGER NOT NULL,
    ack_deadline INTEGER NOT NULL,
    answered_at  INTEGER,
    eta_seconds  REAL    NOT NULL,
    distance_m   REAL    NOT NULL,
    route        TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    actor        TEXT    NOT NULL
  );
  CREATE INDEX dispatch_orders_by_incident ON dispatch_orders (incident_id, id);
  CREATE INDEX dispatch_orders_active ON dispatch_orders (status, ack_deadline);
`;

type Row = Record<string, unknown>;

/** Every order sent to a team, kept with its outcome: the incident's dispatch history. */
export class DispatchOrders {
  constructor(private readonly db: SqliteDatabase) {}

  create(order: Omit<DispatchOrder, 'id' | 'status' | 'answeredAt'>): DispatchOrder {
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO dispatch_orders (incident_id, team_id, status, sent_at, ack_deadline, eta_seconds, distance_m, route, reason, actor)
           VALUES (?, ?, 'sent', ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(order.incidentId, order.teamId, order.sentAt, order.ackDeadline, order.etaSeconds, order.distanceM, JSON.stringify(order.route), order.reason, order.actor)
        .lastInsertRowid,
    );
    return this.get(id)!;
  }

  get(id: number): DispatchOrder | undefined {
    const row = this.db.prepare('SELECT * FROM dispatch_orders WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  forIncident(incidentId: number): DispatchOrder[] {
    return (this.db.prepare('SELECT * FROM dispatch_orders WHERE incident_id = ? ORDER BY id').all(incidentId) as Row[]).map(fromRow);
  }

  /** The team's live order (sent or accepted), if any. */
  activeForTeam(teamId: string): DispatchOrder | undefined {
    const row = this.db
      .prepare("SELECT * FROM dispatch_orders WHERE team_id = ? AND status IN ('sent', 'accepted') ORDER BY id DESC LIMIT 1")
      .get(teamId) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /**
   * The order the team is on now: its newest one sent, accepted or arrived whose incident is not
   * closed (an arrived order keeps that status after the incident is resolved). The team page's order.
   */
  currentForTeam(teamId: string): DispatchOrder | undefined {
    const row = this.db
      .prepare(
        `SELECT o.* FROM dispatch_orders o JOIN incidents i ON i.id = o.incident_id
         WHERE o.team_id = ? AND o.status IN ('sent', 'accepted', 'arrived') AND i.status NOT IN ('resolved', 'cancelled')
         ORDER BY o.id DESC LIMIT 1`,
      )
      .get(teamId) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  active(): DispatchOrder[] {
    return (this.db.prepare("SELECT * FROM dispatch_orders WHERE status IN ('sent', 'accepted') ORDER BY id").all() as Row[]).map(fromRow);
  }

  overdue(now: number): DispatchOrder[] {
    return (this.db.prepare("SELECT * FROM dispatch_orders WHERE status = 'sent' AND ack_deadline < ? ORDER BY id").all(now) as Row[]).map(fromRow);
  }

  settle(id: number, status: OrderStatus, at: number): void {
    this.db.prepare('UPDATE dispatch_orders SET status = ?, answered_at = ? WHERE id = ?').run(status, at, id);
  }
}

function fromRow(row: Row): DispatchOrder {
  return {
    id: row.id as number,
    incidentId: row.incident_id as number,
    teamId: row.team_id as string,
    status: row.status as OrderStatus,
    sentAt: row.sent_at as number,
    ackDeadline: row.ack_deadline as number,
    answeredAt: (row.answered_at as number | null) ?? null,
    etaSeconds: row.eta_seconds as number,
    distanceM: row.distance_m as number,
    route: JSON.parse(row.route as string) as LonLat[],
    reason: row.reason as string,
    actor: row.actor as string,
  };
}
