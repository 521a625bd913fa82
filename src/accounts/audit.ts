import type { SqliteDatabase } from '../store/sqlite.js';

export type AccountAuditAction =
  | 'create'
  | 'update'
  | 'set-password'
  | 'disable'
  | 'enable'
  | 'delete'
  | 'login'
  | 'login-failed'
  | 'logout'
  | 'revoke-sessions';

export type AccountAuditDetail = Readonly<Record<string, string | number | boolean | null>>;

/** One thing done to or by an account; `detail` never holds a password or a session token. */
export interface AccountAuditEntry {
  id: number;
  at: number;
  actor: string;
  username: string;
  action: AccountAuditAction;
  detail: AccountAuditDetail;
}

interface AuditRow extends Omit<AccountAuditEntry, 'detail'> {
  detail: string;
}

export class AccountAudit {
  constructor(private readonly db: SqliteDatabase) {}

  append(entry: Omit<AccountAuditEntry, 'id'>): void {
    this.db
      .prepare('INSERT INTO account_audit (at, actor, username, action, detail) VALUES (@at, @actor, @username, @action, @detail)')
      .run({ ...entry, detail: JSON.stringify(entry.detail) });
  }

  /** Newest first. */
  list(filter: { username?: string | undefined; limit?: number | undefined } = {}): AccountAuditEntry[] {
    const limit = filter.limit ?? 100;
    const rows = (
      filter.username === undefined
        ? this.db.prepare('SELECT * FROM account_audit ORDER BY id DESC LIMIT ?').all(limit)
        : this.db.prepare('SELECT * FROM account_audit WHERE username = ? ORDER BY id DESC LIMIT ?').all(filter.username, limit)
    ) as AuditRow[];
    return rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as AccountAuditDetail }));
  }
}
