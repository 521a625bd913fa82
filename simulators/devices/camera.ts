import type { CameraPlan } from '../village/plan.js';
import { SimDevice, type FleetContext } from './sim-device.js';

const MOTION_ZONES = ['gate', 'road', 'yard', 'entrance', 'parking', 'alley'];

/**
 * A vistaguard/vg200: health every 60 s (fps, bitrate — lower at night on
 * infrared —, SD card, video loss and tamper flags), motion events, and now
 * and then a tamper, a video-loss blip or a power cut.
 */
export class CameraSim extends SimDevice<CameraPlan> {
  private videoLoss = false;
  private tamper = false;
  private readonly bitrateBase: number;
  private storageFree: number;
  private readonly hasCard: boolean;

  constructor(plan: CameraPlan, ctx: FleetContext, secret: string) {
    super(plan, ctx, secret);
    this.bitrateBase = ctx.random.int(1600, 2600);
    this.hasCard = ctx.random.chance(0.8);
    this.storageFree = ctx.random.range(5, 90);
  }

  protected heartbeat(): Record<string, unknown> {
    const hour = this.ctx.clock.hourAt(this.ctx.clock.simNow());
    const night = hour < 6 || hour >= 19;
    const random = this.ctx.random;
    // Loop recording: free space shrinks until the oldest footage is overwritten.
    this.storageFree = this.storageFree <= 3 ? random.range(20, 40) : this.storageFree - random.range(0, 0.05);
    return {
      fps: this.videoLoss ? 0 : night && random.chance(0.2) ? 12.5 : 25,
      bitrate_kbps: this.videoLoss ? 0 : Math.round(this.bitrateBase * (night ? 0.65 : 1) * random.range(0.9, 1.1)),
      ...(this.hasCard ? { storage_free_pct: Math.round(this.storageFree * 10) / 10 } : {}),
      video_loss: this.videoLoss,
      tamper: this.tamper,
      uptime: this.uptimeSeconds(),
      fw: '5.7.3',
    };
  }

  motion(): Promise<boolean> {
    return this.sendEvent({ event: 'motion', zone: this.ctx.random.pick(MOTION_ZONES) });
  }

  /** Covered or turned away, until someone fixes it `forSimMs` later. */
  tampered(forSimMs: number): void {
    this.tamper = true;
    void this.sendEvent({ event: 'tamper' });
    this.ctx.scheduler.after(this.ctx.clock.realDuration(forSimMs), () => {
      this.tamper = false;
      void this.sendEvent({ event: 'tamper', active: false });
    });
  }

  videoLossFor(forSimMs: number): void {
    this.videoLoss = true;
    void this.sendEvent({ event: 'video_loss' });
    this.ctx.scheduler.after(this.ctx.clock.realDuration(forSimMs), () => {
      this.videoLoss = false;
      void this.sendEvent({ event: 'video_loss', active: false });
    });
  }

  /** Power cut: the gateway learns it from the Last Will; the camera comes back by itself. */
  outageFor(forSimMs: number): void {
    this.powerOff();
    this.ctx.scheduler.after(this.ctx.clock.realDuration(forSimMs), () => this.powerOn());
  }
}
