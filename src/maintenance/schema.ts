/**
 * Planned maintenance: while a window is active, its devices going offline or
 * falling silent is expected and raises no incident (alarms still do).
 * scope 'device' names one device in `target`; 'zone' a zone id of the site
 * map; 'site' the whole site (`target` NULL).
 */
export const MAINTENANCE_MIGRATION = `
  CREATE TABLE maintenance_windows (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    site        TEXT    NOT NULL,
    scope       TEXT    NOT NULL CHECK (scope IN ('device', 'zone', 'site')),
    target      TEXT,
    reason      TEXT    NOT NULL,
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    ended_by    TEXT
  );
  CREATE INDEX maintenance_by_end ON maintenance_windows (ends_at);
`;
