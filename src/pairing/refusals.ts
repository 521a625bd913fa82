/**
 * Why the broker turned a device away, kept per device id so the installer
 * sees "wrong secret" instead of silence. Held in memory only (diagnostics,
 * not records), bounded in devices and in distinct reasons per device: a
 * storm of CONNECTs with made-up ids cannot grow it without limit.
 */

/** Reasons the broker gives (`CONNECT refused` and ACL refusals); others are shown as they come. */
export const KNOWN_REFUSALS = [
  'wrong_secret',
  'unknown_device',
  'client_id_mismatch',
  'missing_credentials',
  'device_disabled',
  'will_topic_not_allowed',
  'verification_error',
  'acl_publish',
  'acl_subscribe',
] as const;
export type KnownRefusal = (typeof KNOWN_REFUSALS)[number];

export interface Refusal {
  reason: string;
  /** What was refused, when the broker says it: the topic of an ACL refusal, the client id presented. */
  detail: string | null;
  count: number;
  firstAt: number;
  lastAt: number;
}

export interface RefusalLogOptions {
  maxDevices?: number;
  maxPerDevice?: number;
}

export class RefusalLog {
  private readonly byDevice = new Map<string, Map<string, Refusal>>();
  private readonly maxDevices: number;
  private readonly maxPerDevice: number;

  constructor(options: RefusalLogOptions = {}) {
    this.maxDevices = options.maxDevices ?? 10_000;
    this.maxPerDevice = options.maxPerDevice ?? 20;
  }

  record(deviceId: string, reason: string, detail: string | null, at: number): Refusal {
    let entries = this.byDevice.get(deviceId);
    if (entries) this.byDevice.delete(deviceId);
    else entries = new Map();
    // Re-inserted at the end: the map's order is least recently refused first, for eviction.
    this.byDevice.set(deviceId, entries);
    if (this.byDevice.size > this.maxDevices) {
      const oldest = this.byDevice.keys().next().value;
      if (oldest !== undefined) this.byDevice.delete(oldest);
    }
    const key = `${reason}\u0000${detail ?? ''}`;
    let entry = entries.get(key);
    if (entry) {
      entries.delete(key);
      entry.count++;
      entry.lastAt = at;
    } else {
      entry = { reason, detail, count: 1, firstAt: at, lastAt: at };
    }
    entries.set(key, entry);
    if (entries.size > this.maxPerDevice) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    return entry;
  }

  /** Newest first. */
  of(deviceId: string): Refusal[] {
    const entries = this.byDevice.get(deviceId);
    return entries ? [...entries.values()].map((entry) => ({ ...entry })).reverse() : [];
  }

  clear(deviceId: string): void {
    this.byDevice.delete(deviceId);
  }
}

export type RefusalListener = (deviceId: string, reason: string, detail: string | null, at: number) => void;

const listeners = new Set<RefusalListener>();

/**
 * The hook the broker calls when it refuses a device: a CONNECT (wrong
 * secret, unknown device, client id mismatch, …) or a publish/subscribe the
 * ACL does not allow (`acl_publish` / `acl_subscribe` with the topic as
 * detail). Never throws; never pass the password.
 */
export function recordRefusal(deviceId: string, reason: string, detail?: string): void {
  const at = Date.now();
  for (const listener of listeners) {
    try {
      listener(deviceId, reason, detail ?? null, at);
    } catch {
      // A diagnostic listener must never disturb the broker.
    }
  }
}

/** Listens to `recordRefusal`; returns the removal. */
export function onRefusal(listener: RefusalListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
