/**
 * Exponential backoff with "equal jitter": the delay is half the exponential step plus a random
 * half. It still grows every attempt (so an outage costs few requests) while gateways that lost
 * the same server at the same moment do not retry in lockstep.
 */

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** A server's Retry-After is honoured up to this (a typo of "3600" must not stall us for an hour). */
  maxRetryAfterMs: number;
  /** Injected for tests; returns [0, 1). */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: 100,
  // A refused connection costs nothing: retry at least every 10 s so recovery after an outage is prompt.
  maxMs: 10_000,
  factor: 2,
  maxRetryAfterMs: 300_000,
  random: Math.random,
};

export class Backoff {
  private readonly options: BackoffOptions;
  private failures = 0;
  private lastDelayMs = 0;

  constructor(options: Partial<BackoffOptions> = {}) {
    this.options = { ...DEFAULT_BACKOFF, ...options };
    if (!(this.options.initialMs > 0 && this.options.maxMs >= this.options.initialMs && this.options.factor >= 1)) {
      throw new Error(
        `backoff needs 0 < initialMs <= maxMs and factor >= 1; provided ${JSON.stringify({
          initialMs: this.options.initialMs,
          maxMs: this.options.maxMs,
          factor: this.options.factor,
        })}`,
      );
    }
  }

  /** Delay before the next attempt, after one more failure. */
  next(retryAfterMs?: number): number {
    const { initialMs, maxMs, factor, maxRetryAfterMs, random } = this.options;
    const step = Math.min(maxMs, initialMs * factor ** this.failures);
    this.failures++;
    const jittered = step / 2 + (random() * step) / 2;
    // The server knows its own load better than our guess; but never hot-loop on "Retry-After: 0".
    const delay =
      retryAfterMs === undefined ? jittered : Math.min(maxRetryAfterMs, Math.max(initialMs, retryAfterMs));
    this.lastDelayMs = Math.round(delay);
    return this.lastDelayMs;
  }

  reset(): void {
    this.failures = 0;
    this.lastDelayMs = 0;
  }

  /** Consecutive failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** The delay last handed out, 0 after a reset. */
  get currentMs(): number {
    return this.lastDelayMs;
  }
}
