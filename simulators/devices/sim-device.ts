import type { Timer } from 'mqtt';
import { findModel } from '../../devices/index.js';
import type { PlannedDevice } from '../village/plan.js';
import type { Random } from '../village/random.js';
import type { ConnectGate } from './connect-gate.js';
import { DeviceConnection } from './connection.js';
import type { Scheduler, ScheduledTask } from './scheduler.js';
import type { SimClock } from './sim-clock.js';
import type { FleetStats } from './stats.js';

/** What every simulated device shares: the fleet's one scheduler, clock, randomness, connection pacing and counters. */
export interface FleetContext {
  scheduler: Scheduler;
  clock: SimClock;
  random: Random;
  site: string;
  mqttUrl: string;
  mqttTimer: Timer;
  gate: ConnectGate;
  stats: FleetStats;
}

/**
 * The part of a simulated device that is the same for every kind: its MQTT
 * connection, a heartbeat on `status` at its model's period (real time,
 * random phase, a hello right after each connect), and JSON events with the
 * device's clock in `ts`.
 */
export abstract class SimDevice<P extends PlannedDevice = PlannedDevice> {
  readonly connection: DeviceConnection;
  protected readonly bootedAt: number;
  private heartbeatTask: ScheduledTask | undefined;

  constructor(
    readonly plan: P,
    protected readonly ctx: FleetContext,
    secret: string,
  ) {
    this.connection = new DeviceConnection(
      { id: plan.id, site: ctx.site, kind: plan.kind, secret },
      { mqttUrl: ctx.mqttUrl, scheduler: ctx.scheduler, mqttTimer: ctx.mqttTimer, gate: ctx.gate, random: ctx.random },
      ctx.stats[plan.kind],
      { online: () => this.online(), command: (payload) => this.command(payload) },
    );
    this.bootedAt = ctx.scheduler.now() - ctx.random.int(0, 30 * 86_400) * 1000;
    ctx.stats[plan.kind].devices += 1;
  }

  get id(): string {
    return this.plan.id;
  }

  /** The model's heartbeat period (devices/<vendor>/<model>.ts), a little early as real clocks drift. */
  get heartbeatMs(): number {
    const model = findModel(this.plan.model);
    if (!model) throw new Error(`device ${this.plan.id}: unknown model ${this.plan.model}`);
    return model.heartbeatSeconds * 1000;
  }

  start(): void {
    const period = this.heartbeatMs * this.ctx.random.range(0.95, 0.99);
    this.heartbeatTask ??= this.ctx.scheduler.every(period, () => void this.sendHeartbeat(), this.ctx.random.range(0.2, 1) * period);
    this.connection.start();
  }

  async stop(): Promise<void> {
    this.ctx.scheduler.cancel(this.heartbeatTask);
    this.heartbeatTask = undefined;
    await this.connection.stop();
  }

  powerOff(): void {
    this.connection.powerOff();
  }

  powerOn(): void {
    this.connection.start();
  }

  sendHeartbeat(): Promise<boolean> {
    if (!this.connection.online) return Promise.resolve(false);
    return this.connection.publish('status', JSON.stringify(this.heartbeat()));
  }

  /** An event as JSON with the device's time. */
  sendEvent(event: Record<string, unknown>): Promise<boolean> {
    return this.connection.publish('event', JSON.stringify({ ...event, ts: Date.now() }));
  }

  uptimeSeconds(): number {
    return Math.round((this.ctx.scheduler.now() - this.bootedAt) / 1000);
  }

  protected online(): void {
    void this.sendHeartbeat();
  }

  protected abstract heartbeat(): Record<string, unknown>;

  protected command(_payload: Buffer): void {}
}
