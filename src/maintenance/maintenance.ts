import type { Device } from '../registry/device-registry.js';
import { SITE_PATTERN } from '../broker/topics.js';
import type { SqliteDatabase } from '../store/sqlite.js';
import { MAINTENANCE_SCOPES, MaintenanceStore, effectiveEnd, type MaintenanceScope, type MaintenanceWindow } from './maintenance-store.js';

export const MAX_WINDOW_MS = 7 * 24 * 3600_000;
export const REASON_MAX = 200;
/** Ended windows stay in the list this long. */
export const ENDED_KEPT_MS = 24 * 3600_000;
/** A start this far in the past is taken as "now" (clock skew, a slow form); further back is refused. */
const PAST_START_TOLERANCE_MS = 5 * 60_000;
/** The timer never sleeps longer than this (setTimeout's limit is ~24.8 days; a re-check is cheap). */
const MAX_SLEEP_MS = 3600_000;

export type MaintenanceStatus = 'upcoming' | 'active' | 'ended';
export interface MaintenanceView extends MaintenanceWindow {
  status: MaintenanceStatus;
}

export interface NewMaintenance {
  site: string;
  scope: MaintenanceScope;
  target?: string | null;
  reason: string;
  /** Epoch ms; default now. */
  startsAt?: number;
  endsAt: number;
}

/** A request that does not hold up: `field` and what was expected. */
export class MaintenanceInputError extends Error {
  override name = 'MaintenanceInputError';
  constructor(
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${field}: ${expected}`);
  }
}

export class MaintenanceAlreadyEnded extends Error {
  override name = 'MaintenanceAlreadyEnded';
  constructor(readonly id: number) {
    super(`maintenance window ${id} has already ended`);
  }
}

export interface MaintenanceChange {
  /** Windows that began covering since the last change. */
  started: MaintenanceWindow[];
  /** Windows that stopped covering (on time or ended early). */
  ended: MaintenanceWindow[];
}

export interface MaintenanceOptions {
  db: SqliteDatabase;
  devices: { get(id: string): Device | undefined; list(filter?: { site?: string }): Device[] };
  /** The zone (name, as the rules see it) a device stands in, from the site map. */
  zoneOf(device: Device): string | undefined;
  /** The zones of the loaded site map; undefined without one. */
  zones(): readonly { id: string; name: string }[] | undefined;
  now?: () => number;
  /** false: no timer (tests call refresh() after moving their clock). */
  timer?: boolean;
}

/**
 * Planned maintenance windows: while one covers a device, the device going
 * offline or silent is expected (the rules are not fed it); alarms are never
 * held back. Windows not yet over are kept in memory, indexed by device, zone
 * and site, so `covers` costs a few map lookups. A timer wakes at the next
 * start or end and tells listeners which windows began or stopped covering.
 */
export class Maintenance {
  readonly store: MaintenanceStore;
  private readonly now: () => number;
  private byDevice = new Map<string, MaintenanceWindow[]>();
  private byZone = new Map<string, MaintenanceWindow[]>();
  private bySite = new Map<string, MaintenanceWindow[]>();
  private active = new Map<number, MaintenanceWindow>();
  private current: readonly MaintenanceWindow[] = [];
  private readonly listeners = new Set<(change: MaintenanceChange) => void>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private zoneIds?: { zones: readonly { id: string; name: string }[]; byName: Map<string, string> };

  constructor(private readonly options: MaintenanceOptions) {
    this.store = new MaintenanceStore(options.db);
    this.now = options.now ?? Date.now;
    this.refresh();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  onChange(listener: (change: MaintenanceChange) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** The window covering this device at `at` (default now), if any. */
  covers(device: Device, at = this.now()): MaintenanceWindow | undefined {
    const hit = (list: MaintenanceWindow[] | undefined) => list?.find((w) => w.startsAt <= at && at < effectiveEnd(w));
    const found = hit(this.byDevice.get(device.id)) ?? hit(this.bySite.get(device.site));
    if (found || this.byZone.size === 0) return found;
    const zone = this.zoneIdOf(device);
    return zone === undefined ? undefined : hit(this.byZone.get(`${device.site}\u0000${zone}`));
  }

  /** Windows covering now. */
  activeWindows(): MaintenanceWindow[] {
    return [...this.active.values()];
  }

  /**
   * Windows not yet over (active and upcoming), from memory, by start. The
   * array is replaced at every refresh (create, end, the timer) and never
   * changed in place, so a reader can tell a change by identity.
   */
  pending(): readonly MaintenanceWindow[] {
    return this.current;
  }

  /** Active, upcoming, and ended in the last 24 h. */
  list(filter: { site?: string } = {}): MaintenanceView[] {
    const now = this.now();
    return this.store.endingAfter(now - ENDED_KEPT_MS, filter.site).map((w) => ({ ...w, status: statusOf(w, now) }));
  }

  get(id: number): MaintenanceView | undefined {
    const w = this.store.get(id);
    return w ? { ...w, status: statusOf(w, this.now()) } : undefined;
  }

  create(input: NewMaintenance, by: string): MaintenanceView {
    const now = this.now();
    if (!SITE_PATTERN.test(input.site)) throw new MaintenanceInputError('site', `a site id (${SITE_PATTERN.source})`);
    if (!MAINTENANCE_SCOPES.includes(input.scope)) throw new MaintenanceInputError('scope', MAINTENANCE_SCOPES.join(', '));
    const reason = input.reason.trim();
    if (reason === '' || reason.length > REASON_MAX) throw new MaintenanceInputError('reason', `1 to ${REASON_MAX} characters`);
    const target = this.checkTarget(input);
    const requestedStart = input.startsAt ?? now;
    if (requestedStart < now - PAST_START_TOLERANCE_MS) throw new MaintenanceInputError('startsAt', 'now or later');
    const startsAt = Math.max(requestedStart, now);
    if (!(input.endsAt > startsAt)) throw new MaintenanceInputError('endsAt', 'after the start');
    if (input.endsAt - startsAt > MAX_WINDOW_MS) throw new MaintenanceInputError('endsAt', 'at most 7 days after the start');
    const window = this.store.insert({ site: input.site, scope: input.scope, target, reason, startsAt, endsAt: input.endsAt, createdBy: by, createdAt: now });
    this.refresh();
    return { ...window, status: statusOf(window, now) };
  }

  /** Ends a window early (or cancels one not yet started); undefined when there is no such window. */
  end(id: number, by: string): MaintenanceView | undefined {
    const now = this.now();
    const window = this.store.get(id);
    if (!window) return undefined;
    if (effectiveEnd(window) <= now) throw new MaintenanceAlreadyEnded(id);
    this.store.end(id, now, by);
    this.refresh();
    const ended = this.store.get(id)!;
    return { ...ended, status: statusOf(ended, now) };
  }

  /** The registered devices a window is about (to re-feed the rules when it ends). */
  devicesIn(window: MaintenanceWindow): Device[] {
    if (window.scope === 'device') {
      const device = window.target === null ? undefined : this.options.devices.get(window.target);
      return device && device.site === window.site ? [device] : [];
    }
    const devices = this.options.devices.list({ site: window.site });
    return window.scope === 'site' ? devices : devices.filter((d) => this.zoneIdOf(d) === window.target);
  }

  /**
   * Reloads the windows not yet over, re-indexes them, tells listeners which
   * began or stopped covering since the last call, and sets the timer for the
   * next start or end.
   */
  refresh(): void {
    const now = this.now();
    const current = this.store.endingAfter(now);
    this.byDevice = new Map();
    this.byZone = new Map();
    this.bySite = new Map();
    const active = new Map<number, MaintenanceWindow>();
    let next = Infinity;
    for (const w of current) {
      const key = w.scope === 'device' ? w.target ?? '' : w.scope === 'zone' ? `${w.site}\u0000${w.target ?? ''}` : w.site;
      const index = w.scope === 'device' ? this.byDevice : w.scope === 'zone' ? this.byZone : this.bySite;
      index.set(key, [...(index.get(key) ?? []), w]);
      if (w.startsAt <= now) active.set(w.id, w);
      else next = Math.min(next, w.startsAt);
      next = Math.min(next, effectiveEnd(w));
    }
    const started = [...active.values()].filter((w) => !this.active.has(w.id));
    const ended = [...this.active.values()].filter((w) => !active.has(w.id)).map((w) => this.store.get(w.id) ?? w);
    this.active = active;
    this.current = current;
    if (started.length > 0 || ended.length > 0) {
      for (const listener of this.listeners) listener({ started, ended });
    }
    if (this.timer) clearTimeout(this.timer);
    if (this.options.timer !== false && !this.stopped && next !== Infinity) {
      this.timer = setTimeout(() => this.refresh(), Math.min(Math.max(next - now, 0) + 5, MAX_SLEEP_MS));
      this.timer.unref();
    }
  }

  private checkTarget(input: NewMaintenance): string | null {
    const target = input.target ?? null;
    if (input.scope === 'site') {
      if (target !== null) throw new MaintenanceInputError('target', 'none for a whole-site window');
      return null;
    }
    if (target === null || target === '') throw new MaintenanceInputError('target', input.scope === 'device' ? 'a device id' : 'a zone id of the site map');
    if (input.scope === 'device') {
      const device = this.options.devices.get(target);
      if (!device || device.site !== input.site) throw new MaintenanceInputError('target', `a device registered in site ${input.site}`);
      return target;
    }
    const zones = this.options.zones();
    if (!zones) throw new MaintenanceInputError('target', 'a zone of the site map, but no site map is loaded');
    const zone = zones.find((z) => z.id === target) ?? zones.find((z) => z.name === target);
    if (!zone) throw new MaintenanceInputError('target', 'a zone id of the site map (GET /api/site lists them)');
    return zone.id;
  }

  /** A device's zone id: the locator answers with the zone's name. */
  private zoneIdOf(device: Device): string | undefined {
    const name = this.options.zoneOf(device);
    if (name === undefined) return undefined;
    const zones = this.options.zones();
    if (!zones) return undefined;
    if (this.zoneIds?.zones !== zones) this.zoneIds = { zones, byName: new Map(zones.map((z) => [z.name, z.id])) };
    return this.zoneIds.byName.get(name);
  }
}

function statusOf(w: MaintenanceWindow, now: number): MaintenanceStatus {
  if (effectiveEnd(w) <= now) return 'ended';
  return w.startsAt > now ? 'upcoming' : 'active';
}
