/**
 * Tables of the registers the rule engine consults. Cards are keyed by the
 * per-site HMAC and carry only the masked form; no column ever holds a clear
 * card number.
 */
export const REGISTERS_MIGRATION = `
  CREATE TABLE room_cards (
    site        TEXT    NOT NULL,
    room        TEXT    NOT NULL,
    card_hash   TEXT    NOT NULL,
    card_masked TEXT    NOT NULL,
    tenant_name TEXT,
    valid_until INTEGER,
    added_at    INTEGER NOT NULL,
    added_by    TEXT    NOT NULL,
    PRIMARY KEY (site, room, card_hash)
  ) WITHOUT ROWID;
  CREATE INDEX room_cards_by_card ON room_cards (site, card_hash);
  CREATE TABLE card_blacklist (
    site        TEXT    NOT NULL,
    card_hash   TEXT    NOT NULL,
    card_masked TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    added_at    INTEGER NOT NULL,
    added_by    TEXT    NOT NULL,
    PRIMARY KEY (site, card_hash)
  ) WITHOUT ROWID;
  CREATE TABLE stolen_tags (
    tag           TEXT    PRIMARY KEY,
    owner_name    TEXT    NOT NULL,
    owner_contact TEXT    NOT NULL,
    reported_at   INTEGER NOT NULL,
    note          TEXT,
    added_at      INTEGER NOT NULL,
    added_by      TEXT    NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE register_audit (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    actor    TEXT    NOT NULL,
    register TEXT    NOT NULL,
    action   TEXT    NOT NULL,
    site     TEXT,
    key      TEXT    NOT NULL,
    detail   TEXT    NOT NULL
  );
  CREATE INDEX register_audit_by_key ON register_audit (register, key, id);
`;

export const REGISTER_NAMES = ['room-cards', 'blacklist', 'stolen-tags'] as const;
export type RegisterName = (typeof REGISTER_NAMES)[number];
