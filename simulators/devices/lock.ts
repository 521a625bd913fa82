import type { LockPlan } from '../village/plan.js';
import { SimDevice, type FleetContext } from './sim-device.js';

export interface Swipe {
  card?: string;
  method: 'idcard' | 'ic' | 'pin' | 'app' | 'key';
  result: 'granted' | 'denied';
  reason?: string;
}

/**
 * An anmen/l3 on a rental-room door: knows its tenants' cards (a card not
 * on it is denied `not_registered`), battery heartbeat every 300 s.
 */
export class LockSim extends SimDevice<LockPlan> {
  private battery: number;

  constructor(plan: LockPlan, ctx: FleetContext, secret: string) {
    super(plan, ctx, secret);
    this.battery = ctx.random.int(35, 100);
  }

  protected heartbeat(): Record<string, unknown> {
    if (this.ctx.random.chance(0.002)) this.battery = Math.max(5, this.battery - 1);
    return { battery: this.battery, rssi: this.ctx.random.int(-95, -60), uptime: this.uptimeSeconds(), fw: '3.2.1' };
  }

  /** A tenant coming or going: mostly the ID card, sometimes the app, a PIN or the key; now and then an expired card. */
  tenantSwipe(): Promise<boolean> {
    const random = this.ctx.random;
    const tenant = random.pick(this.plan.tenants);
    const method = (['idcard', 'app', 'pin', 'key'] as const)[random.weighted([0.8, 0.08, 0.07, 0.05])]!;
    if (method !== 'idcard') return this.swipe({ method, result: 'granted' });
    return random.chance(0.01) ? this.swipe({ card: tenant.card, method, result: 'denied', reason: 'expired' }) : this.swipe({ card: tenant.card, method, result: 'granted' });
  }

  /** A card this lock does not know. */
  strangerSwipe(card: string): Promise<boolean> {
    return this.swipe({ card, method: 'idcard', result: 'denied', reason: 'not_registered' });
  }

  swipe(swipe: Swipe): Promise<boolean> {
    return this.sendEvent({ event: 'swipe', room: this.plan.room, ...swipe });
  }
}
