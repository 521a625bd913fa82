import type { SqliteDatabase } from '../store/sqlite.js';

export const MAINTENANCE_SCOPES = ['device', 'zone', 'site'] as const;
export type MaintenanceScope = (typeof MAINTENANCE_SCOPES)[number];

export interface MaintenanceWindow {
  id: number;
  site: string;
  scope: MaintenanceScope;
  /** Device id (scope device), zone id of the site map (scope zone), null for the whole site. */
  target: string | null;
  reason: string;
  startsAt: number;
  endsAt: number;
  createdBy: string;
  createdAt: number;
  /** Set when ended early (or cancelled before it started). */
  endedAt: number | null;
  endedBy: string | null;
}

interface Row {
  id: number;
  site: string;
  scope: MaintenanceScope;
  target: string | null;
  reason: string;
  starts_at: number;
  ends_at: number;
  created_by: string;
  created_at: number;
  ended_at: number | null;
  ended_by: string | null;
}

const fromRow = (r: Row): MaintenanceWindow => ({
  id: r.id,
  site: r.site,
  scope: r.scope,
  target: r.target,
  reason: r.reason,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  createdBy: r.created_by,
  createdAt: r.created_at,
  endedAt: r.ended_at,
  endedBy: r.ended_by,
});

/** When a window stops covering: its planned end, or its early end. */
export function effectiveEnd(w: Pick<MaintenanceWindow, 'endsAt' | 'endedAt'>): number {
  return w.endedAt === null ? w.endsAt : Math.min(w.endsAt, w.endedAt);
}

/** The rows of `maintenance_windows` (schema.ts); no rules about them here (maintenance.ts). */
export class MaintenanceStore {
  constructor(private readonly db: SqliteDatabase) {}

  insert(w: Omit<MaintenanceWindow, 'id' | 'endedAt' | 'endedBy'>): MaintenanceWindow {
    const result = this.db
      .prepare(
        `INSERT INTO maintenance_windows (site, scope, target, reason, starts_at, ends_at, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(w.site, w.scope, w.target, w.reason, w.startsAt, w.endsAt, w.createdBy, w.createdAt);
    return this.get(Number(result.lastInsertRowid))!;
  }

  get(id: number): MaintenanceWindow | undefined {
    const row = this.db.prepare('SELECT * FROM maintenance_windows WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Windows whose (effective) end is after `after`, oldest start first. */
  endingAfter(after: number, site?: string): MaintenanceWindow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM maintenance_windows
         WHERE MIN(ends_at, COALESCE(ended_at, ends_at)) > ? AND (? IS NULL OR site = ?)
         ORDER BY starts_at, id`,
      )
      .all(after, site ?? null, site ?? null) as Row[];
    return rows.map(fromRow);
  }

  end(id: number, at: number, by: string): boolean {
    return this.db.prepare('UPDATE maintenance_windows SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL').run(at, by, id).changes === 1;
  }
}
