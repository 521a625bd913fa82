import { DISPATCH_ORDER_MIGRATION } from '../dispatch/dispatch-orders.js';
import { INCIDENT_MIGRATION } from '../incidents/incident-store.js';
import { TEAM_MIGRATION } from '../teams/team-registry.js';
import { REGISTERS_MIGRATION } from '../registers/schema.js';
import { ACCOUNTS_MIGRATION } from '../accounts/accounts.js';
import { PAIRING_MIGRATION } from '../pairing/claim-codes.js';
import { BRIGADE_MIGRATION } from '../notify/schema.js';
import { CONFIG_AUDIT_MIGRATION } from '../audit/schema.js';
import { MAINTENANCE_MIGRATION } from '../maintenance/schema.js';

/** Schema of gateway.db, one entry per version: registry, incidents, dispatch orders, teams, registers, accounts, pairing, brigade webhooks. Append only. */
export const GATEWAY_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE devices (
    id             TEXT PRIMARY KEY,
    site           TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    model          TEXT    NOT NULL,
    name           TEXT,
    lat            REAL,
    lon            REAL,
    secret_hash    TEXT    NOT NULL,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    first_seen_at  INTEGER,
    last_seen_at   INTEGER,
    online         INTEGER NOT NULL DEFAULT 0,
    offline_reason TEXT
  );
  CREATE INDEX devices_by_site_kind ON devices (site, kind);
  `,
  INCIDENT_MIGRATION,
  DISPATCH_ORDER_MIGRATION,
  TEAM_MIGRATION,
  REGISTERS_MIGRATION,
  ACCOUNTS_MIGRATION,
  PAIRING_MIGRATION,
  BRIGADE_MIGRATION,
  CONFIG_AUDIT_MIGRATION,
  MAINTENANCE_MIGRATION,
];
