import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findModel } from '../../devices/index.js';
import type { DeviceKind } from '../../devices/model.js';
import type { IngestedMessage, RejectedMessage, TimedReading } from '../../src/ingest/ingest.js';
import { createPairing, PAIRING_MIGRATION, type Pairing } from '../../src/pairing/index.js';
import { DeviceRegistry, type Device } from '../../src/registry/device-registry.js';
import { GATEWAY_MIGRATIONS } from '../../src/registry/schema.js';
import { migrate, openDatabase, type SqliteDatabase } from '../../src/store/sqlite.js';

export interface PairingFixture extends Pairing {
  db: SqliteDatabase;
  registry: DeviceRegistry;
  clock: { now: number };
  /** A second Pairing over the same database, as after a restart. */
  reopen(options?: { autoCommission?: boolean }): Pairing;
}

/** gateway.db with the gateway's migrations and pairing's appended, as the gateway will run it. */
export function pairingFixture(t: { teardown(fn: () => void): void }, options: { autoCommission?: boolean; silentAfterMinutes?: number } = {}): PairingFixture {
  const dir = mkdtempSync(join(tmpdir(), 'pairing-'));
  const db = openDatabase(join(dir, 'gateway.db'), { sync: 'normal' });
  migrate(db, GATEWAY_MIGRATIONS);
  const registry = new DeviceRegistry(db);
  const clock = { now: Date.UTC(2025, 5, 1, 8, 0, 0) };
  const make = (extra: { autoCommission?: boolean } = {}) =>
    createPairing({ db, registry, findModel, scryptCost: 1024, now: () => clock.now, ...options, ...extra });
  t.teardown(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { ...make(), db, registry, clock, reopen: make };
}

export function ingested(device: Device, channel: 'event' | 'status', readings: Partial<TimedReading>[], at: number): IngestedMessage {
  return {
    device,
    channel,
    receivedAt: at,
    warnings: [],
    readings: readings.map((r) => ({ measurement: 'm', event: 'e', tags: {}, fields: {}, time: at, ...r })),
  };
}

export function rejected(device: Device, at: number): RejectedMessage {
  return { device, channel: 'event', receivedAt: at, reason: 'schema', errors: [{ path: 'event', message: 'must be one of alarm, restore, test, fault, battery' }] };
}

export const MODEL_OF: Readonly<Record<DeviceKind, string>> = {
  fire: 'emberline/d10',
  camera: 'vistaguard/vg200',
  lock: 'anmen/l3',
  'ebike-station': 'tagway/r500',
  team: 'patrolink/t1',
};
