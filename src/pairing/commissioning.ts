import type { DeviceKind } from '../../devices/model.js';
import type { AvailabilityChange } from '../ingest/availability.js';
import type { IngestedMessage, RejectedMessage } from '../ingest/ingest.js';
import type { SqliteDatabase } from '../store/sqlite.js';
import { likelyCauses, type LikelyCause } from './diagnosis.js';
import { RefusalLog, type Refusal } from './refusals.js';
import { isTestMessage, testHint } from './test-events.js';

export const COMMISSIONING_STATES = ['registered', 'seen', 'test-received', 'commissioned'] as const;
export type CommissioningState = (typeof COMMISSIONING_STATES)[number];

export interface Rejection {
  reason: string;
  detail: string;
  at: number;
}

export interface CommissioningRecord {
  deviceId: string;
  site: string;
  kind: DeviceKind;
  model: string;
  /** The claim code it was claimed with, as printed. */
  code: string | null;
  claimedBy: string;
  state: CommissioningState;
  registeredAt: number;
  /** First successful MQTT login (credentials right), when known. */
  connectedAt: number | null;
  seenAt: number | null;
  testReceivedAt: number | null;
  commissionedAt: number | null;
  commissionedBy: string | null;
  lastRejection: Rejection | null;
}

export interface CommissioningView extends CommissioningRecord {
  /** Still `registered` after `silentAfterMinutes`. */
  overdue: boolean;
  silentAfterMinutes: number;
  /** What the installer does to produce the test event of this kind. */
  testHint: string;
  /** Broker refusals for this device id, newest first. */
  refusals: Refusal[];
  likelyCauses: LikelyCause[];
}

export type CommissioningListener = (view: CommissioningView) => void;

export interface CommissioningOptions {
  db: SqliteDatabase;
  /** Minutes without any message after the claim before the device is reported overdue. Default 10. */
  silentAfterMinutes?: number;
  /** The test event completes commissioning by itself; otherwise the installer confirms (`commission`). Default false. */
  autoCommission?: boolean;
  refusals?: RefusalLog;
  now?: () => number;
}

export class NotTestedError extends Error {
  constructor(readonly state: CommissioningState) {
    super(`the device is ${state}: commissioning needs its test event first`);
  }
}

interface Row {
  device_id: string;
  site: string;
  kind: DeviceKind;
  model: string;
  code: string | null;
  claimed_by: string;
  state: CommissioningState;
  registered_at: number;
  connected_at: number | null;
  seen_at: number | null;
  test_received_at: number | null;
  commissioned_at: number | null;
  commissioned_by: string | null;
  last_rejection: string | null;
}

const REJECTION_DETAIL_CHARS = 300;

/**
 * Commissioning of claimed devices: registered → seen (first message) →
 * test-received (its kind's test event) → commissioned. States only move
 * forward. Devices still being commissioned are held in memory, so the bus
 * listeners cost one map lookup per message for every other device.
 */
export class Commissioning {
  readonly refusals: RefusalLog;
  readonly silentAfterMinutes: number;
  private readonly autoCommission: boolean;
  private readonly now: () => number;
  private readonly pending = new Map<string, CommissioningRecord>();
  private readonly listeners = new Map<string, Set<CommissioningListener>>();
  private readonly overdueAnnounced = new Set<string>();

  constructor(private readonly options: CommissioningOptions) {
    this.refusals = options.refusals ?? new RefusalLog();
    this.silentAfterMinutes = options.silentAfterMinutes ?? 10;
    this.autoCommission = options.autoCommission ?? false;
    this.now = options.now ?? Date.now;
    const rows = options.db.prepare("SELECT * FROM pairing_commissioning WHERE state != 'commissioned'").all() as Row[];
    for (const row of rows) this.pending.set(row.device_id, fromRow(row));
  }

  /** A new record for a device just claimed (not stored yet: see `insert`/`activate`, or `track`). */
  newRecord(device: { id: string; site: string; kind: DeviceKind; model: string }, claim: { code: string | null; by: string; at: number }): CommissioningRecord {
    return {
      deviceId: device.id,
      site: device.site,
      kind: device.kind,
      model: device.model,
      code: claim.code,
      claimedBy: claim.by,
      state: 'registered',
      registeredAt: claim.at,
      connectedAt: null,
      seenAt: null,
      testReceivedAt: null,
      commissionedAt: null,
      commissionedBy: null,
      lastRejection: null,
    };
  }

  /** Stores the record (inside the claim's transaction). */
  insert(record: CommissioningRecord): void {
    this.options.db
      .prepare(
        `INSERT OR REPLACE INTO pairing_commissioning
         (device_id, site, kind, model, code, claimed_by, state, registered_at, connected_at, seen_at,
          test_received_at, commissioned_at, commissioned_by, last_rejection)
         VALUES (@deviceId, @site, @kind, @model, @code, @claimedBy, @state, @registeredAt, @connectedAt, @seenAt,
          @testReceivedAt, @commissionedAt, @commissionedBy, @lastRejection)`,
      )
      .run({ ...record, lastRejection: record.lastRejection ? JSON.stringify(record.lastRejection) : null });
  }

  /** Starts following the device once its claim committed. */
  activate(record: CommissioningRecord): void {
    this.overdueAnnounced.delete(record.deviceId);
    if (record.state === 'commissioned') this.pending.delete(record.deviceId);
    else this.pending.set(record.deviceId, { ...record });
    this.notify(record.deviceId);
  }

  track(record: CommissioningRecord): void {
    this.insert(record);
    this.activate(record);
  }

  get(deviceId: string): CommissioningRecord | undefined {
    const pending = this.pending.get(deviceId);
    if (pending) return { ...pending };
    const row = this.options.db.prepare('SELECT * FROM pairing_commissioning WHERE device_id = ?').get(deviceId) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  view(deviceId: string): CommissioningView | undefined {
    const record = this.get(deviceId);
    return record ? this.viewOf(record) : undefined;
  }

  list(filter: { site?: string | undefined; state?: CommissioningState | undefined; claimedBy?: string | undefined } = {}, limit = 500): CommissioningView[] {
    const rows = this.options.db
      .prepare(
        `SELECT * FROM pairing_commissioning
         WHERE (@site IS NULL OR site = @site) AND (@state IS NULL OR state = @state) AND (@claimedBy IS NULL OR claimed_by = @claimedBy)
         ORDER BY registered_at DESC, device_id LIMIT @limit`,
      )
      .all({ site: filter.site ?? null, state: filter.state ?? null, claimedBy: filter.claimedBy ?? null, limit }) as Row[];
    return rows.map((row) => this.viewOf(this.pending.get(row.device_id) ?? fromRow(row)));
  }

  /** Listens to every change of one device (state, login, refusal, rejected payload, overdue). */
  subscribe(deviceId: string, listener: CommissioningListener): () => void {
    let set = this.listeners.get(deviceId);
    if (!set) {
      set = new Set();
      this.listeners.set(deviceId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(deviceId);
    };
  }

  onIngested(message: IngestedMessage): void {
    const record = this.pending.get(message.device.id);
    if (!record) return;
    const at = message.receivedAt;
    const changes: Partial<CommissioningRecord> = {};
    if (record.seenAt === null) changes.seenAt = at;
    if (record.connectedAt === null) changes.connectedAt = at;
    if (record.testReceivedAt === null && isTestMessage(record.kind, message)) {
      changes.testReceivedAt = at;
      if (this.autoCommission) {
        changes.commissionedAt = at;
        changes.commissionedBy = 'test-event';
      }
    }
    if (Object.keys(changes).length > 0) this.update(record, changes);
  }

  onRejected(message: RejectedMessage): void {
    const record = this.pending.get(message.device.id);
    if (!record) return;
    const detail = message.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ').slice(0, REJECTION_DETAIL_CHARS);
    this.update(record, {
      ...(record.seenAt === null ? { seenAt: message.receivedAt } : {}),
      ...(record.connectedAt === null ? { connectedAt: message.receivedAt } : {}),
      lastRejection: { reason: message.reason, detail: detail || message.reason, at: message.receivedAt },
    });
  }

  onAvailability(change: AvailabilityChange): void {
    const record = this.pending.get(change.device.id);
    if (!record || !change.online || record.connectedAt !== null) return;
    this.update(record, { connectedAt: change.at });
  }

  recordRefusal(deviceId: string, reason: string, detail: string | null = null, at = this.now()): void {
    this.refusals.record(deviceId, reason, detail, at);
    this.notify(deviceId);
  }

  /** The installer confirms: the test arrived and the device is placed. */
  commission(deviceId: string, by: string): CommissioningView | undefined {
    const record = this.get(deviceId);
    if (!record) return undefined;
    if (record.state === 'commissioned') return this.viewOf(record);
    if (record.testReceivedAt === null) throw new NotTestedError(record.state);
    const pending = this.pending.get(deviceId) ?? record;
    this.update(pending, { commissionedAt: this.now(), commissionedBy: by });
    return this.view(deviceId);
  }

  /** Drops a device deleted from the registry (its row, memory and refusals). */
  forget(deviceId: string): boolean {
    this.pending.delete(deviceId);
    this.overdueAnnounced.delete(deviceId);
    this.refusals.clear(deviceId);
    return this.options.db.prepare('DELETE FROM pairing_commissioning WHERE device_id = ?').run(deviceId).changes === 1;
  }

  /** Tells listeners of devices that just became overdue; called periodically by `wirePairing`. */
  sweep(): void {
    for (const deviceId of this.listeners.keys()) {
      const record = this.pending.get(deviceId);
      if (!record || this.overdueAnnounced.has(deviceId) || !this.isOverdue(record)) continue;
      this.overdueAnnounced.add(deviceId);
      this.notify(deviceId);
    }
  }

  private isOverdue(record: CommissioningRecord): boolean {
    return record.seenAt === null && this.now() - record.registeredAt > this.silentAfterMinutes * 60_000;
  }

  private viewOf(record: CommissioningRecord): CommissioningView {
    const refusals = this.refusals.of(record.deviceId);
    const overdue = this.isOverdue(record);
    const causes =
      record.state === 'commissioned'
        ? []
        : likelyCauses({
            device: { id: record.deviceId, site: record.site, kind: record.kind },
            registeredAt: record.registeredAt,
            connectedAt: record.connectedAt,
            seenAt: record.seenAt,
            overdue,
            silentAfterMinutes: this.silentAfterMinutes,
            refusals,
            lastRejection: record.testReceivedAt === null ? record.lastRejection : null,
          });
    return { ...record, overdue, silentAfterMinutes: this.silentAfterMinutes, testHint: testHint(record.kind), refusals, likelyCauses: causes };
  }

  private update(record: CommissioningRecord, changes: Partial<CommissioningRecord>): void {
    Object.assign(record, changes);
    record.state = stateOf(record);
    this.options.db
      .prepare(
        `UPDATE pairing_commissioning SET state = ?, connected_at = ?, seen_at = ?, test_received_at = ?,
         commissioned_at = ?, commissioned_by = ?, last_rejection = ? WHERE device_id = ?`,
      )
      .run(
        record.state,
        record.connectedAt,
        record.seenAt,
        record.testReceivedAt,
        record.commissionedAt,
        record.commissionedBy,
        record.lastRejection ? JSON.stringify(record.lastRejection) : null,
        record.deviceId,
      );
    if (record.state === 'commissioned') this.pending.delete(record.deviceId);
    this.notify(record.deviceId);
  }

  private notify(deviceId: string): void {
    const set = this.listeners.get(deviceId);
    if (!set || set.size === 0) return;
    const view = this.view(deviceId);
    if (!view) return;
    for (const listener of set) {
      try {
        listener(view);
      } catch {
        // One broken live page must not stop the others, nor ingest.
      }
    }
  }
}

function stateOf(record: CommissioningRecord): CommissioningState {
  if (record.commissionedAt !== null) return 'commissioned';
  if (record.testReceivedAt !== null) return 'test-received';
  if (record.seenAt !== null) return 'seen';
  return 'registered';
}

function fromRow(row: Row): CommissioningRecord {
  return {
    deviceId: row.device_id,
    site: row.site,
    kind: row.kind,
    model: row.model,
    code: row.code,
    claimedBy: row.claimed_by,
    state: row.state,
    registeredAt: row.registered_at,
    connectedAt: row.connected_at,
    seenAt: row.seen_at,
    testReceivedAt: row.test_received_at,
    commissionedAt: row.commissioned_at,
    commissionedBy: row.commissioned_by,
    lastRejection: row.last_rejection ? (JSON.parse(row.last_rejection) as Rejection) : null,
  };
}
