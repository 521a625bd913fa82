import type { DeviceKind } from '../../devices/model.js';
import type { SqliteDatabase } from '../store/sqlite.js';

export interface Device {
  id: string;
  site: string;
  kind: DeviceKind;
  model: string;
  name: string | null;
  lat: number | null;
  lon: number | null;
  disabled: boolean;
  createdAt: number;
  firstSeenAt: number | null;
  lastSeenAt: number | null;
  online: boolean;
  offlineReason: string | null;
}

export interface NewDevice {
  id: string;
  site: string;
  kind: DeviceKind;
  model: string;
  name?: string | undefined;
  lat?: number | undefined;
  lon?: number | undefined;
}

interface DeviceRow {
  id: string;
  site: string;
  kind: DeviceKind;
  model: string;
  name: string | null;
  lat: number | null;
  lon: number | null;
  secret_hash: string;
  disabled: number;
  created_at: number;
  first_seen_at: number | null;
  last_seen_at: number | null;
  online: number;
  offline_reason: string | null;
}

export class DeviceExistsError extends Error {
  constructor(readonly deviceId: string) {
    super(`device ${deviceId} is already registered`);
  }
}

/**
 * The device registry. Every device is held in memory (a village has tens of
 * thousands at most), so the MQTT hot path never touches SQLite for a lookup;
 * writes go through to SQLite. Last-seen times change on every message and are
 * written back in periodic batches rather than per message.
 */
export class DeviceRegistry {
  private readonly devices = new Map<string, Device>();
  private readonly secretHashes = new Map<string, string>();
  private readonly dirtySeen = new Set<string>();

  constructor(private readonly db: SqliteDatabase) {
    for (const row of db.prepare('SELECT * FROM devices').all() as DeviceRow[]) {
      this.devices.set(row.id, fromRow(row));
      this.secretHashes.set(row.id, row.secret_hash);
    }
  }

  get(id: string): Device | undefined {
    return this.devices.get(id);
  }

  secretHash(id: string): string | undefined {
    return this.secretHashes.get(id);
  }

  list(filter: { site?: string; kind?: DeviceKind; online?: boolean } = {}): Device[] {
    const result: Device[] = [];
    for (const device of this.devices.values()) {
      if (filter.site && device.site !== filter.site) continue;
      if (filter.kind && device.kind !== filter.kind) continue;
      if (filter.online !== undefined && device.online !== filter.online) continue;
      result.push(device);
    }
    return result.sort((a, b) => a.id.localeCompare(b.id));
  }

  count(): number {
    return this.devices.size;
  }

  register(device: NewDevice, secretHash: string, now: number): Device {
    if (this.devices.has(device.id)) throw new DeviceExistsError(device.id);
    const record: Device = {
      id: device.id,
      site: device.site,
      kind: device.kind,
      model: device.model,
      name: device.name ?? null,
      lat: device.lat ?? null,
      lon: device.lon ?? null,
      disabled: false,
      createdAt: now,
      firstSeenAt: null,
      lastSeenAt: null,
      online: false,
      offlineReason: null,
    };
    this.db
      .prepare(
        `INSERT INTO devices (id, site, kind, model, name, lat, lon, secret_hash, created_at)
         VALUES (@id, @site, @kind, @model, @name, @lat, @lon, @secretHash, @createdAt)`,
      )
      .run({ ...record, secretHash });
    this.devices.set(record.id, record);
    this.secretHashes.set(record.id, secretHash);
    return record;
  }

  setDisabled(id: string, disabled: boolean): Device | undefined {
    const device = this.devices.get(id);
    if (!device) return undefined;
    this.db.prepare('UPDATE devices SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, id);
    device.disabled = disabled;
    return device;
  }

  replaceSecret(id: string, secretHash: string): boolean {
    if (!this.devices.has(id)) return false;
    this.db.prepare('UPDATE devices SET secret_hash = ? WHERE id = ?').run(secretHash, id);
    this.secretHashes.set(id, secretHash);
    return true;
  }

  delete(id: string): boolean {
    if (!this.devices.has(id)) return false;
    this.db.prepare('DELETE FROM devices WHERE id = ?').run(id);
    this.devices.delete(id);
    this.secretHashes.delete(id);
    this.dirtySeen.delete(id);
    return true;
  }

  /** Hot path: memory only; `flushSeen` persists. */
  markSeen(id: string, at: number): { firstTime: boolean } {
    const device = this.devices.get(id);
    if (!device) return { firstTime: false };
    const firstTime = device.firstSeenAt === null;
    if (firstTime) device.firstSeenAt = at;
    device.lastSeenAt = at;
    this.dirtySeen.add(id);
    return { firstTime };
  }

  setOnline(id: string, online: boolean, reason: string | null): boolean {
    const device = this.devices.get(id);
    if (!device || (device.online === online && device.offlineReason === reason)) return false;
    device.online = online;
    device.offlineReason = online ? null : reason;
    this.dirtySeen.add(id);
    return true;
  }

  /** At start-up nothing is connected yet, whatever the last run left behind. */
  markAllOffline(): void {
    this.db.prepare("UPDATE devices SET online = 0, offline_reason = 'gateway-restart' WHERE online = 1").run();
    for (const device of this.devices.values()) {
      if (device.online) {
        device.online = false;
        device.offlineReason = 'gateway-restart';
      }
    }
  }

  flushSeen(): number {
    if (this.dirtySeen.size === 0) return 0;
    const update = this.db.prepare(
      'UPDATE devices SET first_seen_at = ?, last_seen_at = ?, online = ?, offline_reason = ? WHERE id = ?',
    );
    const ids = [...this.dirtySeen];
    this.dirtySeen.clear();
    this.db.transaction(() => {
      for (const id of ids) {
        const d = this.devices.get(id);
        if (d) update.run(d.firstSeenAt, d.lastSeenAt, d.online ? 1 : 0, d.offlineReason, id);
      }
    })();
    return ids.length;
  }
}

function fromRow(row: DeviceRow): Device {
  return {
    id: row.id,
    site: row.site,
    kind: row.kind,
    model: row.model,
    name: row.name,
    lat: row.lat,
    lon: row.lon,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    online: row.online === 1,
    offlineReason: row.offline_reason,
  };
}
