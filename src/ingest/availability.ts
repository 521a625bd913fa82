import type { Logger } from 'pino';
import type { DeviceKind } from '../../devices/model.js';
import type { Metrics } from '../metrics.js';
import type { Device, DeviceRegistry } from '../registry/device-registry.js';
import { encodePoint } from './line-protocol.js';
import { PointClock } from './point-clock.js';

export type OfflineReason = 'disconnected' | 'last-will' | 'heartbeat-timeout' | 'disabled';

export interface AvailabilityChange {
  device: Device;
  online: boolean;
  reason: OfflineReason | 'connected' | 'message';
  at: number;
}

export interface AvailabilityOptions {
  registry: DeviceRegistry;
  heartbeatSecondsOf(device: Device): number;
  timeoutFactor: number;
  append(lines: string[], messages: number): Promise<void>;
  onChange(change: AvailabilityChange): void;
  metrics: Metrics;
  log: Logger;
  now?: () => number;
  sweepIntervalMs?: number;
}

/**
 * Device availability, as zigbee2mqtt treats it: online on connect or any
 * message; offline on disconnect, on its Last Will, or when it stays silent
 * longer than `timeoutFactor` heartbeat periods of its kind. Every transition
 * is stored as a `device_availability` point and announced on the bus.
 */
export class Availability {
  private timer?: NodeJS.Timeout;
  private readonly clock = new PointClock();
  private readonly now: () => number;

  constructor(private readonly options: AvailabilityOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.recount();
    this.timer = setInterval(() => this.sweep(), this.options.sweepIntervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.options.registry.flushSeen();
  }

  connected(device: Device): void {
    this.options.registry.markSeen(device.id, this.now());
    this.transition(device, true, 'connected');
  }

  seen(device: Device): void {
    this.options.registry.markSeen(device.id, this.now());
    if (!device.online) this.transition(device, true, 'message');
  }

  offline(device: Device, reason: OfflineReason): void {
    this.transition(device, false, reason);
  }

  /** Checks every online device against its kind's heartbeat timeout; also persists last-seen times. */
  sweep(): void {
    const now = this.now();
    for (const device of this.options.registry.list({ online: true })) {
      const timeoutMs = this.options.heartbeatSecondsOf(device) * 1000 * this.options.timeoutFactor;
      if (device.lastSeenAt !== null && now - device.lastSeenAt > timeoutMs) this.transition(device, false, 'heartbeat-timeout');
    }
    try {
      this.options.registry.flushSeen();
    } catch (err) {
      this.options.log.error({ err }, 'could not persist last-seen times');
    }
  }

  private transition(device: Device, online: boolean, reason: AvailabilityChange['reason']): void {
    const changed = this.options.registry.setOnline(device.id, online, online ? null : reason);
    if (!changed) return;
    const at = this.now();
    this.options.metrics.availabilityChanges.inc({ kind: device.kind, state: online ? 'online' : 'offline', reason });
    this.options.metrics.devicesOnline.inc({ kind: device.kind }, online ? 1 : -1);
    const line = encodePoint({
      measurement: 'device_availability',
      tags: { site: device.site, kind: device.kind, model: device.model, device: device.id, reason },
      fields: { online },
      timeNs: this.clock.stamp(at),
    });
    if (line) {
      this.options.append([line], 0).catch((err: unknown) => this.options.log.error({ err, deviceId: device.id }, 'availability point not stored'));
    }
    this.options.log.info({ deviceId: device.id, kind: device.kind, online, reason }, online ? 'device online' : 'device offline');
    this.options.onChange({ device, online, reason, at });
  }

  private recount(): void {
    const counts = new Map<DeviceKind, number>();
    for (const device of this.options.registry.list({ online: true })) counts.set(device.kind, (counts.get(device.kind) ?? 0) + 1);
    this.options.metrics.devicesOnline.reset();
    for (const [kind, count] of counts) this.options.metrics.devicesOnline.set({ kind }, count);
  }
}
