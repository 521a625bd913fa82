import type { StationPlan } from '../village/plan.js';
import type { ScheduledTask } from './scheduler.js';
import { SimDevice, type FleetContext } from './sim-device.js';
import { tagFrames, type TimedRead } from './tag-frames.js';

/** Reads kept while the uplink is down; a real reader's ring buffer. */
const MAX_BUFFERED_READS = 20_000;
const FLUSH_EVERY_MS = 5000;

/**
 * A tagway/r500 roadside reader: collects tag reads and sends them as binary
 * frames every few seconds (or at 500 reads). While offline it keeps reading
 * and sends the reads as backlog frames once it is back.
 */
export class StationSim extends SimDevice<StationPlan> {
  private buffer: TimedRead[] = [];
  private flushTask: ScheduledTask | undefined;
  framesSent = 0;
  readsSent = 0;

  constructor(plan: StationPlan, ctx: FleetContext, secret: string) {
    super(plan, ctx, secret);
  }

  protected heartbeat(): Record<string, unknown> {
    return { rssi: this.ctx.random.int(-85, -55), uptime: this.uptimeSeconds(), fw: '2.1.0' };
  }

  protected override online(): void {
    super.online();
    if (this.buffer.length > 0) this.flush();
  }

  /** A bike passing: its tag answers one to three times within a second. */
  bikePasses(tag: number): void {
    const random = this.ctx.random;
    const now = Date.now();
    const times = random.int(1, 3);
    const rssi = random.int(-88, -50);
    for (let k = 0; k < times; k++) this.read({ tag, rssi: Math.max(-128, rssi - random.int(0, 6)), at: now + k * random.int(80, 400), backlog: !this.connection.online });
  }

  read(read: TimedRead): void {
    if (this.buffer.length >= MAX_BUFFERED_READS) {
      this.buffer.shift();
      this.ctx.stats['ebike-station'].dropped += 1;
    }
    this.buffer.push(read);
    if (this.buffer.length >= 500) this.flush();
    else this.flushTask ??= this.ctx.scheduler.after(FLUSH_EVERY_MS, () => this.flush());
  }

  flush(): void {
    this.ctx.scheduler.cancel(this.flushTask);
    this.flushTask = undefined;
    if (!this.connection.online || this.buffer.length === 0) return;
    const reads = this.buffer;
    this.buffer = [];
    for (const frame of tagFrames(reads)) {
      const count = frame.readUInt16BE(11);
      this.framesSent += 1;
      this.readsSent += count;
      void this.connection.publish('event', frame, { hold: false }).then((acked) => {
        // Not acknowledged: the reads go back in the buffer and leave again as backlog.
        if (!acked) this.requeue(frame);
      });
    }
  }

  private requeue(frame: Buffer): void {
    const base = Number(frame.readBigUInt64BE(3));
    const count = frame.readUInt16BE(11);
    for (let i = 0; i < count; i++) {
      const at = 13 + 7 * i;
      this.buffer.push({ tag: frame.readUInt32BE(at), rssi: frame.readInt8(at + 4), at: base + frame.readUInt16BE(at + 5), backlog: true });
    }
    this.readsSent -= count;
    this.flushTask ??= this.ctx.scheduler.after(FLUSH_EVERY_MS, () => this.flush());
  }
}
