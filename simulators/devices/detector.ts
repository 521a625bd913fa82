import type { DetectorPlan } from '../village/plan.js';
import { SimDevice, type FleetContext } from './sim-device.js';

const FAULT_CODES = ['E03-chamber-dirty', 'E05-sensor-drift', 'E11-mains-lost', 'E21-tamper'];

/**
 * An emberline/d10 in a factory: heartbeat every 120 s, monthly tests in
 * working hours, faults, low battery, and (rarely) alarms that clear again.
 */
export class DetectorSim extends SimDevice<DetectorPlan> {
  private battery: number;

  constructor(plan: DetectorPlan, ctx: FleetContext, secret: string) {
    super(plan, ctx, secret);
    this.battery = ctx.random.int(70, 100);
  }

  protected heartbeat(): Record<string, unknown> {
    return { battery: this.battery, rssi: this.ctx.random.int(-100, -70), uptime: this.uptimeSeconds(), fw: '1.4.2' };
  }

  /** Smoke or heat; cleared `restoreAfterSimMs` later when given (a false alarm aired out). */
  alarm(sensor: 'smoke' | 'heat' = this.plan.sensor === 'heat' ? 'heat' : 'smoke', restoreAfterSimMs?: number): Promise<boolean> {
    const random = this.ctx.random;
    const reading = sensor === 'heat' ? { temp_c: random.int(62, 90) } : { smoke_obscuration: Math.round(random.range(2.5, 9) * 10) / 10 };
    const sent = this.sendEvent({ event: 'alarm', sensor, ...reading });
    if (restoreAfterSimMs !== undefined) this.ctx.scheduler.after(this.ctx.clock.realDuration(restoreAfterSimMs), () => void this.restore(sensor));
    return sent;
  }

  restore(sensor: 'smoke' | 'heat' = 'smoke'): Promise<boolean> {
    return this.sendEvent({ event: 'restore', sensor });
  }

  test(): Promise<boolean> {
    return this.sendEvent({ event: 'test', sensor: 'manual' });
  }

  fault(clearAfterSimMs: number): void {
    const code = this.ctx.random.pick(FAULT_CODES);
    void this.sendEvent({ event: 'fault', fault_code: code });
    this.ctx.scheduler.after(this.ctx.clock.realDuration(clearAfterSimMs), () => void this.sendEvent({ event: 'fault', fault_code: code, active: false }));
  }

  lowBattery(): void {
    this.battery = this.ctx.random.int(5, 15);
    void this.sendEvent({ event: 'battery', battery: this.battery });
  }
}
