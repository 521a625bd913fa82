import type { Logger } from 'pino';
import type { AvailabilityChange } from '../ingest/availability.js';
import type { IngestedMessage, TimedReading } from '../ingest/ingest.js';
import type { Device } from '../registry/device-registry.js';
import type { RuleEngine } from './engine.js';
import type { FieldValue, RuleAction, RuleEvent } from './types.js';

/** Where a device stands in the village: from its registered position and the site's zones and places. */
export interface DeviceLocator {
  locate(device: Device): { place?: string; zone?: string; lon?: number; lat?: number };
}

/** Facts the rules need that the device cannot know (registers kept by the village office). */
export interface Enrichment {
  isCardRegisteredToRoom(site: string, room: string, cardHash: string, now: number): boolean;
  isBlacklisted(site: string, cardHash: string): boolean;
  isStolen(tag: string): boolean;
}

/** Team trackers drive dispatch, not rules. */
export interface TeamFeed {
  reading(device: Device, reading: TimedReading, receivedAt: number): void;
}

export interface RuleRunnerOptions {
  engine: RuleEngine;
  locator: DeviceLocator;
  enrichment?: Enrichment;
  teams: TeamFeed;
  apply(action: RuleAction): Promise<unknown>;
  log: Logger;
  now?: () => number;
  /**
   * Planned maintenance: true while a window covers the device. Its going
   * offline and its silence are then expected and not fed to the rules;
   * everything else it sends (alarms above all) still is.
   */
  underMaintenance?(deviceId: string, at: number, device?: Device): boolean;
}

/**
 * Feeds the rule engine: each ingested reading becomes a RuleEvent (located,
 * enriched), each availability change an `online`/`offline` event; actions go
 * to the incident manager one at a time, in order, so two actions for one
 * incident never race.
 */
export class RuleRunner {
  private chain: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly options: RuleRunnerOptions) {
    this.now = options.now ?? Date.now;
  }

  start(onTick: () => Promise<void>): void {
    this.timer = setInterval(() => {
      this.tick(this.now());
      this.chain = this.chain.then(onTick).catch((err: unknown) => this.options.log.error({ err }, 'dispatch tick failed'));
    }, 1000);
    this.timer.unref();
  }

  stop(): Promise<unknown> {
    if (this.timer) clearInterval(this.timer);
    return this.chain;
  }

  /** Fires the timer rules whose time has come; a silence or lasting offline of a device under maintenance is expected and dropped. */
  tick(now: number): void {
    this.enqueue(this.options.engine.tick(now).filter((action) => !this.expected(action, now)));
  }

  ingested(message: IngestedMessage): void {
    const { device } = message;
    for (const reading of message.readings) {
      if (device.kind === 'team') {
        this.options.teams.reading(device, reading, message.receivedAt);
        continue;
      }
      this.enqueue(this.options.engine.handle(this.toEvent(device, reading.event, { ...reading.tags, ...reading.fields }, message.receivedAt)));
    }
  }

  availability(change: AvailabilityChange): void {
    if (change.device.kind === 'team') return;
    if (!change.online && this.options.underMaintenance?.(change.device.id, change.at, change.device)) return;
    this.enqueue(this.options.engine.handle(this.toEvent(change.device, change.online ? 'online' : 'offline', { reason: change.reason }, change.at)));
  }

  /**
   * After a start: every device that has reported before is watched for
   * silence from `since` (the gateway could hear nothing while it was down,
   * so its silence starts now, not at its last message).
   */
  watchKnownDevices(devices: Iterable<Device>, since: number): number {
    let watched = 0;
    for (const device of devices) {
      if (device.kind === 'team' || device.disabled || device.lastSeenAt === null) continue;
      this.options.engine.watchForSilence(this.toEvent(device, 'last-heard', {}, since));
      watched++;
    }
    return watched;
  }

  /**
   * A maintenance window began covering these devices: what the rules' timers
   * held about them (an offline state, a silence being timed) is dropped, so
   * it is judged afresh when the window ends.
   */
  maintenanceStarted(devices: Iterable<Device>, at: number): void {
    for (const device of devices) {
      if (device.kind === 'team') continue;
      this.options.engine.forgetTimers(this.toEvent(device, 'maintenance', {}, at));
    }
  }

  /**
   * A maintenance window stopped covering these devices (on time or early):
   * one still offline is reported to the rules as going offline now (a camera
   * that never came back is still reported), and every device heard before is
   * watched for silence from now.
   */
  maintenanceEnded(devices: Iterable<Device>, at: number): void {
    for (const device of devices) {
      if (device.kind === 'team' || device.disabled || device.lastSeenAt === null) continue;
      if (this.options.underMaintenance?.(device.id, at, device)) continue;
      if (!device.online) this.enqueue(this.options.engine.handle(this.toEvent(device, 'offline', { reason: 'still offline after maintenance' }, at)));
      this.options.engine.watchForSilence(this.toEvent(device, 'last-heard', {}, at));
    }
  }

  /** Settles once every action queued so far has been applied (tests, shutdown). */
  idle(): Promise<unknown> {
    return this.chain;
  }

  private toEvent(device: Device, event: string, fields: Record<string, FieldValue>, time: number): RuleEvent {
    return {
      kind: device.kind,
      event,
      deviceId: device.id,
      site: device.site,
      model: device.model,
      // Windows run on the gateway's receive time: device clocks drift (the device time is in InfluxDB).
      time,
      fields: this.enrich(device, event, fields, time),
      ...this.options.locator.locate(device),
    };
  }

  private enrich(device: Device, event: string, fields: Record<string, FieldValue>, now: number): Record<string, FieldValue> {
    const registers = this.options.enrichment;
    if (!registers) return fields;
    if (device.kind === 'lock' && event === 'swipe' && typeof fields.card_hash === 'string') {
      const room = typeof fields.room === 'string' ? fields.room : '';
      return {
        ...fields,
        card_registered_to_room: room !== '' && registers.isCardRegisteredToRoom(device.site, room, fields.card_hash, now),
        card_blacklisted: registers.isBlacklisted(device.site, fields.card_hash),
      };
    }
    if (device.kind === 'ebike-station' && typeof fields.tag === 'string') {
      return { ...fields, tag_stolen: registers.isStolen(fields.tag) };
    }
    return fields;
  }

  /** A timer rule (silence, a lasting offline state) firing about a device under maintenance. */
  private expected(action: RuleAction, now: number): boolean {
    if (action.evidence.since === undefined || !this.options.underMaintenance) return false;
    return this.options.underMaintenance(action.event.deviceId, now);
  }

  private enqueue(actions: RuleAction[]): void {
    for (const action of actions) {
      this.chain = this.chain
        .then(() => this.options.apply(action))
        .catch((err: unknown) => this.options.log.error({ err, ruleId: action.ruleId, key: action.key }, 'rule action failed'));
    }
  }
}
