/** Schema of outbox.db: the only file written on the ingest hot path. */
export const OUTBOX_MIGRATIONS: readonly string[] = [
  `
  -- AUTOINCREMENT: row ids must never be reused once the writer deleted the newest row,
  -- because the reader walks the outbox by "id greater than the last removed".
  CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at  INTEGER NOT NULL,
    messages    INTEGER NOT NULL,
    line_count  INTEGER NOT NULL,
    lines       TEXT    NOT NULL
  );
  CREATE TABLE dead_letters (
    id              INTEGER PRIMARY KEY,
    received_at     INTEGER NOT NULL,
    stage           TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    site            TEXT,
    kind            TEXT,
    device_id       TEXT,
    topic           TEXT,
    detail          TEXT    NOT NULL,
    payload_preview TEXT,
    payload_size    INTEGER
  );
  CREATE INDEX dead_letters_by_device ON dead_letters (device_id, id);
  CREATE INDEX dead_letters_by_reason ON dead_letters (reason, id);
  `,
];
