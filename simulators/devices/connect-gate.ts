import type { Scheduler } from './scheduler.js';

/**
 * Paces CONNECTs: at most `maxPending` handshakes in flight and at most
 * `perSecond` started per second. The gateway checks every secret with
 * scrypt, so 10,000 devices connecting at once (a cold start, or the whole
 * village reconnecting after a gateway restart) would only queue there;
 * staggering them here keeps each handshake short and the startup honest.
 */
export class ConnectGate {
  private readonly waiting: (() => void)[] = [];
  private waitingHead = 0;
  private pending = 0;
  private startedThisSecond = 0;
  private secondStart = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly maxPending = 200,
    private readonly perSecond = 500,
  ) {
    scheduler.every(50, () => this.drain(), 0);
  }

  get queued(): number {
    return this.waiting.length - this.waitingHead;
  }

  get inFlight(): number {
    return this.pending;
  }

  /** `open` runs when a slot is free; it must call `release` once the handshake ended either way. */
  request(open: () => void): void {
    this.waiting.push(open);
    this.drain();
  }

  release(): void {
    this.pending = Math.max(0, this.pending - 1);
  }

  private drain(): void {
    const now = this.scheduler.now();
    if (now - this.secondStart >= 1000) {
      this.secondStart = now;
      this.startedThisSecond = 0;
    }
    while (this.waitingHead < this.waiting.length && this.pending < this.maxPending && this.startedThisSecond < this.perSecond) {
      const open = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead] = noop;
      this.waitingHead += 1;
      this.pending += 1;
      this.startedThisSecond += 1;
      open();
    }
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
  }
}

function noop(): void {}
