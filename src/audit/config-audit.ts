import type { SqliteDatabase } from '../store/sqlite.js';

/** What a configuration change was made to (the table also has room for maintenance windows). */
export const CONFIG_AUDIT_SUBJECTS = ['device', 'team', 'brigade-subscription', 'maintenance-window'] as const;
export type ConfigAuditSubject = (typeof CONFIG_AUDIT_SUBJECTS)[number];

export const CONFIG_AUDIT_ACTIONS = ['register', 'claim', 'commission', 'disable', 'enable', 'rotate-secret', 'create', 'update', 'end', 'delete'] as const;
export type ConfigAuditAction = (typeof CONFIG_AUDIT_ACTIONS)[number];

export type ConfigAuditDetail = Readonly<Record<string, string | number | boolean | null>>;

/** Most entries one `list` returns. */
export const CONFIG_AUDIT_MAX_LIMIT = 500;

/**
 * One change to the gateway's configuration: who (`actor`, the principal's
 * name), what (`subject`, `subjectId`), `action`, and a short `detail` that
 * never holds a secret, a secret's hash or a token.
 */
export interface ConfigAuditEntry {
  id: number;
  at: number;
  actor: string;
  subject: ConfigAuditSubject;
  subjectId: string;
  action: ConfigAuditAction;
  detail: ConfigAuditDetail;
}

export interface ConfigAuditFilter {
  subject?: ConfigAuditSubject | undefined;
  subjectId?: string | undefined;
  beforeId?: number | undefined;
  limit?: number | undefined;
}

interface AuditRow extends Omit<ConfigAuditEntry, 'detail'> {
  detail: string;
}

export class ConfigAudit {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => number = Date.now,
  ) {}

  /** `at` defaults to now. */
  append(entry: Omit<ConfigAuditEntry, 'id' | 'at' | 'detail'> & { at?: number; detail?: ConfigAuditDetail }): void {
    this.db
      .prepare('INSERT INTO config_audit (at, actor, subject, subject_id, action, detail) VALUES (@at, @actor, @subject, @subjectId, @action, @detail)')
      .run({ at: entry.at ?? this.now(), actor: entry.actor, subject: entry.subject, subjectId: entry.subjectId, action: entry.action, detail: JSON.stringify(entry.detail ?? {}) });
  }

  /** Newest first; page with `beforeId`. At most CONFIG_AUDIT_MAX_LIMIT entries (100 unless asked). */
  list(filter: ConfigAuditFilter = {}): ConfigAuditEntry[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.subject !== undefined) {
      where.push('subject = ?');
      params.push(filter.subject);
    }
    if (filter.subjectId !== undefined) {
      where.push('subject_id = ?');
      params.push(filter.subjectId);
    }
    if (filter.beforeId !== undefined) {
      where.push('id < ?');
      params.push(filter.beforeId);
    }
    const limit = Math.max(1, Math.min(CONFIG_AUDIT_MAX_LIMIT, Math.floor(filter.limit ?? 100)));
    const rows = this.db
      .prepare(
        `SELECT id, at, actor, subject, subject_id AS subjectId, action, detail FROM config_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      )
      .all(...params, limit) as AuditRow[];
    return rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as ConfigAuditDetail }));
  }
}

/**
 * A webhook URL as the audit may keep it: scheme, host, port and path; no
 * user name or password, no query or fragment (where receivers put tokens).
 */
export function auditableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
