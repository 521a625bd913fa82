/**
 * Tables of the fire-brigade push, one migration appended to gateway.db's list:
 * subscriptions, the incidents already pushed (their last state, to derive
 * updates), the delivery outbox and one row per delivery attempt.
 */
export const BRIGADE_MIGRATION = `
  CREATE TABLE brigade_subscriptions (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    url         TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    severities  TEXT    NOT NULL,
    kinds       TEXT    NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  CREATE TABLE brigade_incidents (
    incident_id INTEGER PRIMARY KEY,
    status      TEXT    NOT NULL,
    severity    TEXT    NOT NULL,
    team_id     TEXT,
    version     INTEGER NOT NULL,
    -- The incident's updatedAt when it was last looked at: an older event (a replay) is ignored.
    seen_updated_at INTEGER NOT NULL,
    pushed_at   INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  CREATE TABLE brigade_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id  TEXT    NOT NULL REFERENCES brigade_subscriptions(id) ON DELETE CASCADE,
    incident_id      INTEGER NOT NULL,
    version          INTEGER NOT NULL,
    type             TEXT    NOT NULL,
    update_kind      TEXT    NOT NULL,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    body             TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    -- The retry horizon counts from here: the enqueue, or the last retry by hand.
    retry_since      INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    delivered_at     INTEGER,
    last_status_code INTEGER,
    last_error       TEXT
  );
  CREATE INDEX brigade_deliveries_pending ON brigade_deliveries (status, next_attempt_at) WHERE status = 'pending';
  CREATE INDEX brigade_deliveries_chain ON brigade_deliveries (subscription_id, incident_id, id);
  CREATE INDEX brigade_deliveries_by_incident ON brigade_deliveries (incident_id, id);
  CREATE TABLE brigade_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id  INTEGER NOT NULL REFERENCES brigade_deliveries(id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    status_code  INTEGER,
    error        TEXT,
    duration_ms  INTEGER NOT NULL,
    outcome      TEXT    NOT NULL
  );
  CREATE INDEX brigade_attempts_by_delivery ON brigade_attempts (delivery_id, id);
`;
