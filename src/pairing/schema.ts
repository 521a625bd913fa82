/**
 * Tables of installer pairing, one migration for gateway.db (appended to
 * GATEWAY_MIGRATIONS): claim-code batches, the codes themselves (kept in
 * clear: they are printed on stickers and must be reprintable; each is
 * single-use) and the commissioning state of every claimed device.
 */
export const PAIRING_MIGRATION = `
  CREATE TABLE pairing_batches (
    id          TEXT PRIMARY KEY,
    site        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    prefix      TEXT    NOT NULL,
    count       INTEGER NOT NULL,
    label       TEXT,
    created_at  INTEGER NOT NULL,
    created_by  TEXT    NOT NULL
  );
  CREATE TABLE pairing_claim_codes (
    code        TEXT PRIMARY KEY,
    batch_id    TEXT    NOT NULL REFERENCES pairing_batches (id),
    seq         INTEGER NOT NULL,
    site        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    used_at     INTEGER,
    used_by     TEXT,
    device_id   TEXT
  );
  CREATE INDEX pairing_claim_codes_by_batch ON pairing_claim_codes (batch_id, seq);
  CREATE INDEX pairing_claim_codes_by_site ON pairing_claim_codes (site, kind);
  CREATE TABLE pairing_commissioning (
    device_id        TEXT PRIMARY KEY,
    site             TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    model            TEXT    NOT NULL,
    code             TEXT,
    claimed_by       TEXT    NOT NULL,
    state            TEXT    NOT NULL,
    registered_at    INTEGER NOT NULL,
    connected_at     INTEGER,
    seen_at          INTEGER,
    test_received_at INTEGER,
    commissioned_at  INTEGER,
    commissioned_by  TEXT,
    last_rejection   TEXT
  );
`;
