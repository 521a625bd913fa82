/**
 * Who changed the gateway's configuration: devices, teams, brigade
 * subscriptions, maintenance windows. Accounts and registers keep their own
 * trails (accounts/audit.ts, registers/audit.ts). `detail` is JSON and never
 * holds a secret, a password or a clear card number.
 */
export const CONFIG_AUDIT_MIGRATION = `
  CREATE TABLE config_audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    subject_id TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT '{}'
  );
  CREATE INDEX config_audit_by_subject ON config_audit (subject, subject_id, id);
`;
