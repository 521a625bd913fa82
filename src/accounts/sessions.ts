import type { SqliteDatabase } from '../store/sqlite.js';
import { SESSION_TOKEN_PATTERN, issueSessionToken, sessionTokenDigest } from './credentials.js';

export interface SessionTimes {
  /** A session unused this long expires (sliding). */
  idleMs: number;
  /** A session never outlives this, however busy (absolute). */
  maxAgeMs: number;
  /**
   * The sliding expiry is written at most this often per session, so a page
   * polling every second does not cost a SQLite write per request.
   */
  touchEveryMs: number;
}

export const DEFAULT_SESSION_TIMES: SessionTimes = { idleMs: 60 * 60_000, maxAgeMs: 12 * 3600_000, touchEveryMs: 60_000 };

export interface Session {
  accountId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface IssuedSession extends Session {
  /** The bearer secret of the cookie: given to the browser once, never stored. */
  token: string;
}

interface SessionRow {
  id_sha256: string;
  account_id: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

/** Sessions keyed by the SHA-256 of their token; a stolen database rides no session. */
export class SessionTable {
  constructor(
    private readonly db: SqliteDatabase,
    readonly times: SessionTimes,
  ) {}

  private expiry(createdAt: number, now: number): number {
    return Math.min(now + this.times.idleMs, createdAt + this.times.maxAgeMs);
  }

  issue(accountId: number, userAgent: string | undefined, now: number): IssuedSession {
    const token = issueSessionToken();
    const session: Session = { accountId, createdAt: now, lastSeenAt: now, expiresAt: this.expiry(now, now) };
    this.db
      .prepare('INSERT INTO sessions (id_sha256, account_id, created_at, last_seen_at, expires_at, user_agent) VALUES (?, ?, ?, ?, ?, ?)')
      .run(sessionTokenDigest(token), accountId, now, now, session.expiresAt, userAgent?.slice(0, 300) ?? null);
    return { ...session, token };
  }

  /** The live session of a token, its expiry slid forward; an expired one is deleted. */
  touch(token: string, now: number): Session | undefined {
    if (!SESSION_TOKEN_PATTERN.test(token)) return undefined;
    const id = sessionTokenDigest(token);
    const row = this.db.prepare('SELECT * FROM sessions WHERE id_sha256 = ?').get(id) as SessionRow | undefined;
    if (!row) return undefined;
    if (row.expires_at <= now) {
      this.db.prepare('DELETE FROM sessions WHERE id_sha256 = ?').run(id);
      return undefined;
    }
    const session: Session = { accountId: row.account_id, createdAt: row.created_at, lastSeenAt: row.last_seen_at, expiresAt: row.expires_at };
    if (now - row.last_seen_at < this.times.touchEveryMs) return session;
    session.lastSeenAt = now;
    session.expiresAt = this.expiry(row.created_at, now);
    this.db.prepare('UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id_sha256 = ?').run(now, session.expiresAt, id);
    return session;
  }

  accountOf(token: string): number | undefined {
    if (!SESSION_TOKEN_PATTERN.test(token)) return undefined;
    const row = this.db.prepare('SELECT account_id FROM sessions WHERE id_sha256 = ?').get(sessionTokenDigest(token)) as { account_id: number } | undefined;
    return row?.account_id;
  }

  revoke(token: string): boolean {
    if (!SESSION_TOKEN_PATTERN.test(token)) return false;
    return this.db.prepare('DELETE FROM sessions WHERE id_sha256 = ?').run(sessionTokenDigest(token)).changes > 0;
  }

  /** Every session of an account but `keep` (the one changing its own password stays logged in). */
  revokeAll(accountId: number, keep?: string): number {
    if (keep !== undefined && SESSION_TOKEN_PATTERN.test(keep)) {
      return this.db.prepare('DELETE FROM sessions WHERE account_id = ? AND id_sha256 <> ?').run(accountId, sessionTokenDigest(keep)).changes;
    }
    return this.db.prepare('DELETE FROM sessions WHERE account_id = ?').run(accountId).changes;
  }

  count(accountId: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM sessions WHERE account_id = ?').get(accountId) as { n: number }).n;
  }

  pruneExpired(now: number): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }
}
