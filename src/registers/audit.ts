import type { SqliteDatabase } from '../store/sqlite.js';
import type { RegisterName } from './schema.js';

export type AuditAction = 'add' | 'update' | 'remove';
export type AuditDetail = Readonly<Record<string, string | number | null>>;

/**
 * One change to a register. `key` is the card hash or the tag id; `detail`
 * holds the masked card, room, reason… and never a clear card number, a
 * tenant's name or an owner's contact.
 */
export interface RegisterAuditEntry {
  id: number;
  at: number;
  actor: string;
  register: RegisterName;
  action: AuditAction;
  site: string | null;
  key: string;
  detail: AuditDetail;
}

export interface AuditFilter {
  register?: RegisterName | undefined;
  site?: string | undefined;
  key?: string | undefined;
  beforeId?: number | undefined;
  limit?: number | undefined;
}

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  register: RegisterName;
  action: AuditAction;
  site: string | null;
  key: string;
  detail: string;
}

export class RegisterAudit {
  constructor(private readonly db: SqliteDatabase) {}

  append(entry: Omit<RegisterAuditEntry, 'id'>): void {
    this.db
      .prepare('INSERT INTO register_audit (at, actor, register, action, site, key, detail) VALUES (@at, @actor, @register, @action, @site, @key, @detail)')
      .run({ ...entry, detail: JSON.stringify(entry.detail) });
  }

  /** Newest first; page with `beforeId`. */
  list(filter: AuditFilter = {}): RegisterAuditEntry[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    for (const column of ['register', 'site', 'key'] as const) {
      const value = filter[column];
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    if (filter.beforeId !== undefined) {
      where.push('id < ?');
      params.push(filter.beforeId);
    }
    const rows = this.db
      .prepare(`SELECT * FROM register_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
      .all(...params, filter.limit ?? 100) as AuditRow[];
    return rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as AuditDetail }));
  }
}
