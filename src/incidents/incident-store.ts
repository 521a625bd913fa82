import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../store/sqlite.js';
import type { Severity } from '../rules/types.js';

export const INCIDENT_STATUSES = ['open', 'dispatched', 'accepted', 'arrived', 'escalated', 'resolved', 'cancelled'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Allowed lifecycle moves; anything else is refused with a reason. */
const TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  open: ['dispatched', 'escalated', 'resolved', 'cancelled'],
  dispatched: ['dispatched', 'accepted', 'arrived', 'escalated', 'open', 'resolved', 'cancelled'],
  escalated: ['dispatched', 'accepted', 'arrived', 'resolved', 'cancelled'],
  accepted: ['arrived', 'dispatched', 'escalated', 'resolved', 'cancelled'],
  arrived: ['resolved', 'cancelled'],
  resolved: [],
  cancelled: [],
};

export const SEVERITY_RANK: Record<Severity, number> = { red: 0, orange: 1, blue: 2, green: 3 };

export interface Incident {
  id: number;
  ruleId: string;
  key: string;
  severity: Severity;
  status: IncidentStatus;
  title: string;
  summary: string;
  kind: string;
  site: string;
  deviceId: string;
  place: string | null;
  zone: string | null;
  lon: number | null;
  lat: number | null;
  openedAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  teamId: string | null;
  etaSeconds: number | null;
  targetAtRisk: boolean;
  brigadeNotified: boolean;
  dispatchedAt: number | null;
  acceptedAt: number | null;
  arrivedAt: number | null;
  closedAt: number | null;
  responseSeconds: number | null;
  note: string | null;
  updates: number;
}

export interface AuditEntry {
  id: number;
  incidentId: number;
  at: number;
  actor: string;
  action: string;
  fromStatus: IncidentStatus | null;
  toStatus: IncidentStatus | null;
  detail: Record<string, unknown>;
}

export interface NewIncident {
  ruleId: string;
  key: string;
  severity: Severity;
  title: string;
  summary: string;
  kind: string;
  site: string;
  deviceId: string;
  place?: string | undefined;
  zone?: string | undefined;
  lon?: number | undefined;
  lat?: number | undefined;
}

export class TransitionError extends Error {
  constructor(
    readonly incidentId: number,
    readonly from: IncidentStatus,
    readonly to: IncidentStatus,
  ) {
    super(`incident ${incidentId} is ${from}; it cannot become ${to}`);
  }
}

export const INCIDENT_MIGRATION = `
  CREATE TABLE incidents (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id          TEXT    NOT NULL,
    key              TEXT    NOT NULL,
    severity         TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    summary          TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    site             TEXT    NOT NULL,
    device_id        TEXT    NOT NULL,
    place            TEXT,
    zone             TEXT,
    lon              REAL,
    lat              REAL,
    opened_at        INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    acknowledged_at  INTEGER,
    acknowledged_by  TEXT,
    team_id          TEXT,
    eta_seconds      REAL,
    target_at_risk   INTEGER NOT NULL DEFAULT 0,
    brigade_notified INTEGER NOT NULL DEFAULT 0,
    dispatched_at    INTEGER,
    accepted_at      INTEGER,
    arrived_at       INTEGER,
    closed_at        INTEGER,
    response_seconds REAL,
    note             TEXT,
    updates          INTEGER NOT NULL DEFAULT 0
  );
  -- One open incident per rule and key: a repeat updates it instead of opening another.
  CREATE UNIQUE INDEX incidents_open_key ON incidents (rule_id, key) WHERE status NOT IN ('resolved', 'cancelled');
  CREATE INDEX incidents_by_status ON incidents (status, id);
  CREATE TABLE incident_audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    detail      TEXT    NOT NULL
  );
  CREATE INDEX incident_audit_by_incident ON incident_audit (incident_id, id);
`;

type Row = Record<string, unknown>;

const openKey = (ruleId: string, key: string) => `${ruleId}\u0000${key}`;

/** Incidents and their audit trail in SQLite: every change is a row in incident_audit, written in the same transaction. */
export class IncidentStore {
  private readonly statements = new Map<string, Statement<unknown[]>>();
  private openCache?: { byId: Map<number, Incident>; byKey: Map<string, Incident> };

  constructor(private readonly db: SqliteDatabase) {}

  /** Statements are prepared once: rule actions reach this store on the ingest hot path. */
  private sql(text: string): Statement<unknown[]> {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare<unknown[]>(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  findOpen(ruleId: string, key: string): Incident | undefined {
    return this.open_().byKey.get(openKey(ruleId, key));
  }

  /** The open incident about the same thing (same kind, same place — or the same device where there is no place); the newest if several. */
  findOpenBySubject(kind: string, place: string | undefined, deviceId: string): Incident | undefined {
    let found: Incident | undefined;
    for (const incident of this.open_().byId.values()) {
      if (incident.kind !== kind) continue;
      if (place ? incident.place !== place : incident.place !== null || incident.deviceId !== deviceId) continue;
      if (!found || incident.id > found.id) found = incident;
    }
    return found;
  }

  /**
   * Open incidents, kept in memory beside the table: rule actions look them up on the
   * ingest path for every matching message, and there are few open at once. Loaded on
   * first use, then updated after each committed write of this store (the only writer).
   */
  private open_(): { byId: Map<number, Incident>; byKey: Map<string, Incident> } {
    if (!this.openCache) {
      this.openCache = { byId: new Map(), byKey: new Map() };
      const rows = this.sql("SELECT * FROM incidents WHERE status NOT IN ('resolved', 'cancelled')").all() as Row[];
      for (const row of rows) this.remember(fromRow(row));
    }
    return this.openCache;
  }

  private remember(incident: Incident): Incident {
    // Shared by every caller until the next write: nobody may change it in place.
    Object.freeze(incident);
    const cache = this.open_();
    const key = openKey(incident.ruleId, incident.key);
    if (incident.status === 'resolved' || incident.status === 'cancelled') {
      cache.byId.delete(incident.id);
      if (cache.byKey.get(key)?.id === incident.id) cache.byKey.delete(key);
    } else {
      cache.byId.set(incident.id, incident);
      cache.byKey.set(key, incident);
    }
    return incident;
  }

  get(id: number): Incident | undefined {
    const row = this.sql('SELECT * FROM incidents WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(filter: { status?: IncidentStatus[]; severity?: Severity[]; kind?: string; open?: boolean; limit: number; beforeId?: number }): Incident[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.open) where.push("status NOT IN ('resolved', 'cancelled')");
    if (filter.status?.length) {
      where.push(`status IN (${filter.status.map(() => '?').join(',')})`);
      params.push(...filter.status);
    }
    if (filter.severity?.length) {
      where.push(`severity IN (${filter.severity.map(() => '?').join(',')})`);
      params.push(...filter.severity);
    }
    if (filter.kind) {
      where.push('kind = ?');
      params.push(filter.kind);
    }
    if (filter.beforeId) {
      where.push('id < ?');
      params.push(filter.beforeId);
    }
    const rows = this
      .sql(`SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
      .all(...params, filter.limit) as Row[];
    return rows.map(fromRow).sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.openedAt - a.openedAt);
  }

  audit(incidentId: number): AuditEntry[] {
    return (this.sql('SELECT * FROM incident_audit WHERE incident_id = ? ORDER BY id').all(incidentId) as Row[]).map((row) => ({
      id: row.id as number,
      incidentId: row.incident_id as number,
      at: row.at as number,
      actor: row.actor as string,
      action: row.action as string,
      fromStatus: (row.from_status as IncidentStatus | null) ?? null,
      toStatus: (row.to_status as IncidentStatus | null) ?? null,
      detail: JSON.parse(row.detail as string) as Record<string, unknown>,
    }));
  }

  open(incident: NewIncident, at: number, actor: string, detail: Record<string, unknown> = {}): Incident {
    return this.remember(this.db.transaction(() => {
      const id = Number(
        this
          .sql(
            `INSERT INTO incidents (rule_id, key, severity, status, title, summary, kind, site, device_id, place, zone, lon, lat, opened_at, updated_at)
             VALUES (@ruleId, @key, @severity, 'open', @title, @summary, @kind, @site, @deviceId, @place, @zone, @lon, @lat, @at, @at)`,
          )
          .run({ place: null, zone: null, lon: null, lat: null, ...incident, at }).lastInsertRowid,
      );
      this.record(id, at, actor, 'opened', null, 'open', { severity: incident.severity, title: incident.title, ...detail });
      return this.get(id)!;
    })());
  }

  /** A repeat of the same rule and key, or a graver rule about the same subject: count it, raise the severity if worse. */
  repeat(id: number, severity: Severity, summary: string, at: number, actor: string, detail: Record<string, unknown> = {}, title?: string, count = 1): Incident {
    return this.remember(this.db.transaction(() => {
      const current = this.get(id)!;
      const raised = SEVERITY_RANK[severity] < SEVERITY_RANK[current.severity];
      this
        .sql('UPDATE incidents SET updates = updates + ?, updated_at = ?, summary = ?, severity = ?, title = ? WHERE id = ?')
        .run(count, at, summary, raised ? severity : current.severity, raised && title ? title : current.title, id);
      this.record(id, at, actor, raised ? 'severity raised' : 'repeated', current.status, current.status, {
        ...(raised ? { from: current.severity, to: severity } : {}),
        ...detail,
      });
      return this.get(id)!;
    })());
  }

  /** Moves the lifecycle; refuses moves the table does not allow. */
  transition(id: number, to: IncidentStatus, at: number, actor: string, action: string, changes: Partial<Incident> = {}, detail: Record<string, unknown> = {}): Incident {
    return this.remember(this.db.transaction(() => {
      const current = this.get(id);
      if (!current) throw new Error(`incident ${id} does not exist`);
      if (!TRANSITIONS[current.status].includes(to)) throw new TransitionError(id, current.status, to);
      this.update(id, { ...changes, status: to, updatedAt: at, ...(to === 'resolved' || to === 'cancelled' ? { closedAt: at } : {}) });
      this.record(id, at, actor, action, current.status, to, detail);
      return this.get(id)!;
    })());
  }

  /** A change that is not a lifecycle move (acknowledge, ETA update, brigade notified), still audited. */
  annotate(id: number, at: number, actor: string, action: string, changes: Partial<Incident>, detail: Record<string, unknown> = {}): Incident {
    return this.remember(this.db.transaction(() => {
      const current = this.get(id);
      if (!current) throw new Error(`incident ${id} does not exist`);
      this.update(id, { ...changes, updatedAt: at });
      this.record(id, at, actor, action, current.status, current.status, detail);
      return this.get(id)!;
    })());
  }

  private update(id: number, changes: Partial<Incident>): void {
    const columns = Object.entries(changes).filter(([key]) => key in COLUMN_OF);
    if (columns.length === 0) return;
    const sql = `UPDATE incidents SET ${columns.map(([key]) => `${COLUMN_OF[key as keyof Incident]} = ?`).join(', ')} WHERE id = ?`;
    this.sql(sql).run(...columns.map(([, value]) => (typeof value === 'boolean' ? (value ? 1 : 0) : (value as string | number | null))), id);
  }

  private record(id: number, at: number, actor: string, action: string, from: IncidentStatus | null, to: IncidentStatus | null, detail: Record<string, unknown>): void {
    this
      .sql('INSERT INTO incident_audit (incident_id, at, actor, action, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, at, actor, action, from, to, JSON.stringify(detail));
  }
}

const COLUMN_OF: Partial<Record<keyof Incident, string>> = {
  severity: 'severity',
  status: 'status',
  summary: 'summary',
  updatedAt: 'updated_at',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedBy: 'acknowledged_by',
  teamId: 'team_id',
  etaSeconds: 'eta_seconds',
  targetAtRisk: 'target_at_risk',
  brigadeNotified: 'brigade_notified',
  dispatchedAt: 'dispatched_at',
  acceptedAt: 'accepted_at',
  arrivedAt: 'arrived_at',
  closedAt: 'closed_at',
  responseSeconds: 'response_seconds',
  note: 'note',
};

function fromRow(row: Row): Incident {
  return {
    id: row.id as number,
    ruleId: row.rule_id as string,
    key: row.key as string,
    severity: row.severity as Severity,
    status: row.status as IncidentStatus,
    title: row.title as string,
    summary: row.summary as string,
    kind: row.kind as string,
    site: row.site as string,
    deviceId: row.device_id as string,
    place: (row.place as string | null) ?? null,
    zone: (row.zone as string | null) ?? null,
    lon: (row.lon as number | null) ?? null,
    lat: (row.lat as number | null) ?? null,
    openedAt: row.opened_at as number,
    updatedAt: row.updated_at as number,
    acknowledgedAt: (row.acknowledged_at as number | null) ?? null,
    acknowledgedBy: (row.acknowledged_by as string | null) ?? null,
    teamId: (row.team_id as string | null) ?? null,
    etaSeconds: (row.eta_seconds as number | null) ?? null,
    targetAtRisk: row.target_at_risk === 1,
    brigadeNotified: row.brigade_notified === 1,
    dispatchedAt: (row.dispatched_at as number | null) ?? null,
    acceptedAt: (row.accepted_at as number | null) ?? null,
    arrivedAt: (row.arrived_at as number | null) ?? null,
    closedAt: (row.closed_at as number | null) ?? null,
    responseSeconds: (row.response_seconds as number | null) ?? null,
    note: (row.note as string | null) ?? null,
    updates: row.updates as number,
  };
}
