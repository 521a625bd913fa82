/**
 * Tables of the people's accounts. A password is kept only as a salted scrypt
 * hash; a session token only as its SHA-256, so a copy of gateway.db can
 * neither log anyone in nor ride a live session. The audit keeps the username
 * as text (no foreign key) so the history of a deleted account survives it.
 * No foreign key to `teams` either: deleting a team must not fail because an
 * account names it (the API checks that the team exists when it is set).
 */
export const ACCOUNTS_MIGRATION = `
  CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    username       TEXT    NOT NULL UNIQUE,
    display_name   TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('admin', 'operator', 'installer', 'brigade', 'team')),
    password_hash  TEXT    NOT NULL,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    last_login_at  INTEGER,
    team_id        TEXT,
    CHECK ((role = 'team') = (team_id IS NOT NULL))
  );
  CREATE TABLE sessions (
    id_sha256     TEXT    PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    user_agent    TEXT
  ) WITHOUT ROWID;
  CREATE INDEX sessions_by_account ON sessions (account_id);
  CREATE INDEX sessions_by_expiry ON sessions (expires_at);
  CREATE TABLE account_audit (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    username  TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    detail    TEXT    NOT NULL
  );
  CREATE INDEX account_audit_by_username ON account_audit (username, id);
`;
