import { ROLES, type Role } from '../api/auth.js';
import { hashSecret, verifySecret } from '../registry/secrets.js';
import type { SqliteDatabase } from '../store/sqlite.js';
import { AccountAudit, type AccountAuditDetail, type AccountAuditEntry } from './audit.js';
import { checkPassword, checkUsername, generatePassword, normalizeUsername } from './credentials.js';
import { AccountExistsError, AccountInputError, AccountNotFoundError, LastAdminError } from './errors.js';
import { DEFAULT_SESSION_TIMES, SessionTable, type IssuedSession, type Session, type SessionTimes } from './sessions.js';

export { ACCOUNTS_MIGRATION } from './schema.js';
export type { AccountAuditEntry, IssuedSession, Session, SessionTimes };

/** A person's account as the API shows it: never the password hash, never a session. */
export interface Account {
  username: string;
  displayName: string;
  role: Role;
  /** The patrol team of a `team` account; null for every other role. */
  teamId: string | null;
  disabled: boolean;
  createdAt: number;
  lastLoginAt: number | null;
}

export interface NewAccount {
  username: string;
  displayName: string;
  role: Role;
  teamId?: string | null | undefined;
  /** In clear only here: hashed with scrypt at once, never stored or logged. */
  password: string;
}

export interface AccountPatch {
  displayName?: string | undefined;
  role?: Role | undefined;
  teamId?: string | null | undefined;
}

export interface AccountsOptions {
  db: SqliteDatabase;
  /** scrypt N for password hashes (power of two). */
  scryptCost: number;
  sessions?: Partial<SessionTimes> | undefined;
  /** Whether a patrol team exists; without it any team id is taken. */
  teamExists?: ((teamId: string) => boolean) | undefined;
  now?: (() => number) | undefined;
}

export type LogInOutcome =
  | { ok: true; account: Account; session: IssuedSession }
  | { ok: false; reason: 'unknown' | 'wrong-password' | 'disabled' };

export interface ResolvedSession {
  account: Account;
  session: Session;
}

/** Who did it, and from where, for the audit. */
export interface Caller {
  actor: string;
  ip?: string | undefined;
  userAgent?: string | undefined;
}

interface AccountRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  disabled: number;
  created_at: number;
  last_login_at: number | null;
  team_id: string | null;
}

const DISPLAY_NAME_MAX = 80;

const view = (row: AccountRow): Account => ({
  username: row.username,
  displayName: row.display_name,
  role: row.role,
  teamId: row.team_id,
  disabled: row.disabled === 1,
  createdAt: row.created_at,
  lastLoginAt: row.last_login_at,
});

function displayNameOf(input: string): string {
  const name = input.trim();
  if (name.length === 0 || name.length > DISPLAY_NAME_MAX) throw new AccountInputError(`display name must have 1–${DISPLAY_NAME_MAX} characters`);
  return name;
}

/**
 * The people who use the screens, their passwords and their sessions, in
 * gateway.db. Nothing is cached: a change made by the create-admin tool or
 * another request is seen by the next request.
 */
export class Accounts {
  readonly sessionTimes: SessionTimes;
  private readonly sessions: SessionTable;
  private readonly auditLog: AccountAudit;
  private readonly now: () => number;
  /**
   * An unknown username is checked against this hash of a random password,
   * so it costs one scrypt like a known one and timing does not tell them apart.
   */
  private readonly dummyHash: Promise<string>;

  constructor(private readonly options: AccountsOptions) {
    if (!Number.isInteger(options.scryptCost) || options.scryptCost < 1024 || (options.scryptCost & (options.scryptCost - 1)) !== 0) {
      throw new RangeError(`scryptCost must be a power of two of at least 1024; got ${options.scryptCost}`);
    }
    this.now = options.now ?? Date.now;
    this.sessionTimes = { ...DEFAULT_SESSION_TIMES, ...options.sessions };
    this.sessions = new SessionTable(options.db, this.sessionTimes);
    this.auditLog = new AccountAudit(options.db);
    this.dummyHash = hashSecret(generatePassword(), options.scryptCost);
    // Awaited on the first unknown username; this only keeps a failure from being an unhandled rejection meanwhile.
    this.dummyHash.catch(() => undefined);
  }

  private row(username: string): AccountRow | undefined {
    return this.options.db.prepare('SELECT * FROM accounts WHERE username = ?').get(username) as AccountRow | undefined;
  }

  private existing(username: string): AccountRow {
    const row = this.row(username);
    if (!row) throw new AccountNotFoundError(username);
    return row;
  }

  private rowById(id: number): AccountRow | undefined {
    return this.options.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
  }

  private record(username: string, action: AccountAuditEntry['action'], caller: Caller, detail: AccountAuditDetail = {}): void {
    const where = { ...(caller.ip !== undefined ? { ip: caller.ip } : {}), ...(caller.userAgent !== undefined ? { userAgent: caller.userAgent.slice(0, 300) } : {}) };
    this.auditLog.append({ at: this.now(), actor: caller.actor, username, action, detail: { ...detail, ...where } });
  }

  private enabledAdmins(): number {
    return (this.options.db.prepare("SELECT count(*) AS n FROM accounts WHERE role = 'admin' AND disabled = 0").get() as { n: number }).n;
  }

  /** Refuses to take away the last enabled admin, whatever the change (demote, disable, delete). */
  private keepAnAdmin(row: AccountRow): void {
    if (row.role === 'admin' && row.disabled === 0 && this.enabledAdmins() <= 1) throw new LastAdminError(row.username);
  }

  /** The team of an account with `role`: required for `team`, refused for any other role. */
  private teamFor(role: Role, teamId: string | null, current: string | null): string | null {
    if (role !== 'team') {
      if (teamId !== null) throw new AccountInputError(`only a team account belongs to a team; role ${role} takes no teamId`);
      return null;
    }
    if (teamId === null) throw new AccountInputError('a team account belongs to a team: give teamId');
    if (teamId !== current && this.options.teamExists && !this.options.teamExists(teamId)) {
      throw new AccountInputError(`team ${teamId} is not registered; POST /api/teams first`);
    }
    return teamId;
  }

  async create(input: NewAccount, caller: Caller): Promise<Account> {
    checkUsername(input.username);
    if (!ROLES.includes(input.role)) throw new AccountInputError(`role must be one of ${ROLES.join(', ')}`);
    const displayName = displayNameOf(input.displayName);
    const teamId = this.teamFor(input.role, input.teamId ?? null, null);
    checkPassword(input.password, input.username);
    if (this.row(input.username)) throw new AccountExistsError(input.username);
    const passwordHash = await hashSecret(input.password, this.options.scryptCost);
    try {
      this.options.db
        .prepare('INSERT INTO accounts (username, display_name, role, password_hash, created_at, team_id) VALUES (?, ?, ?, ?, ?, ?)')
        .run(input.username, displayName, input.role, passwordHash, this.now(), teamId);
    } catch (err) {
      // Another request created the same username while this one was hashing.
      if (err instanceof Error && 'code' in err && err.code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AccountExistsError(input.username);
      throw err;
    }
    this.record(input.username, 'create', caller, { role: input.role, displayName, teamId });
    return view(this.existing(input.username));
  }

  list(): Account[] {
    return (this.options.db.prepare('SELECT * FROM accounts ORDER BY username').all() as AccountRow[]).map(view);
  }

  get(username: string): Account | undefined {
    const row = this.row(username);
    return row ? view(row) : undefined;
  }

  /** Whether any admin account exists, enabled or not. */
  hasAdmin(): boolean {
    return this.options.db.prepare("SELECT 1 FROM accounts WHERE role = 'admin' LIMIT 1").get() !== undefined;
  }

  /** A role change takes effect on the account's next request: sessions read the role from the account. */
  update(username: string, patch: AccountPatch, caller: Caller): Account {
    const row = this.existing(username);
    const role = patch.role ?? row.role;
    if (!ROLES.includes(role)) throw new AccountInputError(`role must be one of ${ROLES.join(', ')}`);
    // Leaving the team role drops the team; staying in it keeps the team unless a new one is given.
    const wantedTeam = patch.teamId !== undefined ? patch.teamId : role === 'team' ? row.team_id : null;
    const teamId = this.teamFor(role, wantedTeam, row.team_id);
    const displayName = patch.displayName !== undefined ? displayNameOf(patch.displayName) : row.display_name;
    if (row.role === 'admin' && role !== 'admin') this.keepAnAdmin(row);
    this.options.db.prepare('UPDATE accounts SET display_name = ?, role = ?, team_id = ? WHERE id = ?').run(displayName, role, teamId, row.id);
    const changes: Record<string, string | null> = {};
    if (role !== row.role) changes.role = `${row.role} -> ${role}`;
    if (teamId !== row.team_id) changes.teamId = `${row.team_id ?? 'none'} -> ${teamId ?? 'none'}`;
    if (displayName !== row.display_name) changes.displayName = displayName;
    this.record(username, 'update', caller, changes);
    return view(this.existing(username));
  }

  /** Every session of the account ends, except `keepSession` (the one changing its own password). */
  async setPassword(username: string, password: string, caller: Caller, keepSession?: string): Promise<Account> {
    checkPassword(password, username);
    this.existing(username);
    const passwordHash = await hashSecret(password, this.options.scryptCost);
    const row = this.existing(username);
    this.options.db.prepare('UPDATE accounts SET password_hash = ? WHERE id = ?').run(passwordHash, row.id);
    const revoked = this.sessions.revokeAll(row.id, keepSession);
    this.record(username, 'set-password', caller, { revokedSessions: revoked });
    return view(row);
  }

  /** Disabling ends every session of the account at once. */
  setDisabled(username: string, disabled: boolean, caller: Caller): Account {
    const row = this.existing(username);
    if (disabled) this.keepAnAdmin(row);
    const revoked = this.options.db.transaction(() => {
      this.options.db.prepare('UPDATE accounts SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, row.id);
      return disabled ? this.sessions.revokeAll(row.id) : 0;
    })();
    this.record(username, disabled ? 'disable' : 'enable', caller, disabled ? { revokedSessions: revoked } : {});
    return view(this.existing(username));
  }

  delete(username: string, caller: Caller): boolean {
    const row = this.row(username);
    if (!row) return false;
    this.keepAnAdmin(row);
    this.options.db.transaction(() => {
      // Explicit, not only ON DELETE CASCADE: a connection without foreign_keys=ON must not leave live sessions behind.
      this.sessions.revokeAll(row.id);
      this.options.db.prepare('DELETE FROM accounts WHERE id = ?').run(row.id);
    })();
    this.record(username, 'delete', caller, { role: row.role });
    return true;
  }

  /**
   * Checks a password in about the same time whether the account exists or
   * not: an unknown username is verified against a dummy hash.
   */
  private async check(usernameInput: string, password: string): Promise<{ row: AccountRow | undefined; matches: boolean }> {
    const username = normalizeUsername(usernameInput);
    const row = username === undefined ? undefined : this.row(username);
    const matches = await verifySecret(password, row?.password_hash ?? (await this.dummyHash));
    return { row, matches: row !== undefined && matches };
  }

  /** Whether `password` is the password of the enabled account `username` (same time for unknown names). */
  async verifyPassword(username: string, password: string): Promise<boolean> {
    const { row, matches } = await this.check(username, password);
    return matches && row?.disabled === 0;
  }

  async logIn(usernameInput: string, password: string, caller: Omit<Caller, 'actor'>): Promise<LogInOutcome> {
    const { row, matches } = await this.check(usernameInput, password);
    if (!row) return { ok: false, reason: 'unknown' };
    if (!matches) {
      this.record(row.username, 'login-failed', { actor: row.username, ...caller }, { reason: 'wrong-password' });
      return { ok: false, reason: 'wrong-password' };
    }
    const now = this.now();
    // Read again after the scrypt wait: the account may have been disabled or deleted meanwhile.
    const outcome = this.options.db.transaction((): LogInOutcome => {
      const current = this.rowById(row.id);
      if (!current) return { ok: false, reason: 'unknown' };
      if (current.disabled === 1) return { ok: false, reason: 'disabled' };
      this.sessions.pruneExpired(now);
      const session = this.sessions.issue(current.id, caller.userAgent, now);
      this.options.db.prepare('UPDATE accounts SET last_login_at = ? WHERE id = ?').run(now, current.id);
      return { ok: true, account: view({ ...current, last_login_at: now }), session };
    })();
    this.record(row.username, outcome.ok ? 'login' : 'login-failed', { actor: row.username, ...caller }, outcome.ok ? {} : { reason: outcome.reason });
    return outcome;
  }

  /** The account behind a session token, its expiry slid forward; undefined when expired, revoked or disabled. */
  resolveSession(token: string): ResolvedSession | undefined {
    const session = this.sessions.touch(token, this.now());
    if (!session) return undefined;
    const row = this.rowById(session.accountId);
    if (!row || row.disabled === 1) {
      this.sessions.revoke(token);
      return undefined;
    }
    return { account: view(row), session };
  }

  logOut(token: string, caller: Omit<Caller, 'actor'>): boolean {
    const accountId = this.sessions.accountOf(token);
    if (accountId === undefined || !this.sessions.revoke(token)) return false;
    const row = this.rowById(accountId);
    if (row) this.record(row.username, 'logout', { actor: row.username, ...caller });
    return true;
  }

  revokeSessions(username: string, caller: Caller): number {
    const row = this.existing(username);
    const revoked = this.sessions.revokeAll(row.id);
    this.record(username, 'revoke-sessions', caller, { revokedSessions: revoked });
    return revoked;
  }

  sessionCount(username: string): number {
    return this.sessions.count(this.existing(username).id);
  }

  history(filter: { username?: string | undefined; limit?: number | undefined } = {}): AccountAuditEntry[] {
    return this.auditLog.list(filter);
  }
}
