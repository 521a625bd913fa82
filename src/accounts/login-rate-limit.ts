/**
 * Failed log-ins per key in a sliding window: the time of each failure is
 * kept (at most `max` of them per key), so "5 failures in 15 minutes" means
 * exactly that, with no burst at a fixed window's edge.
 */
export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
    /** Bound of the keys held; an attacker spraying usernames cannot grow memory without end. */
    private readonly maxKeys = 10_000,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer; got ${max}`);
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive; got ${windowMs}`);
  }

  private live(key: string, now: number): number[] {
    const times = this.hits.get(key);
    if (!times) return [];
    const from = times.findIndex((at) => at > now - this.windowMs);
    if (from < 0) {
      this.hits.delete(key);
      return [];
    }
    if (from > 0) times.splice(0, from);
    return times;
  }

  /** Milliseconds until one more attempt is allowed; 0 when it is allowed now. */
  waitMs(key: string, now: number): number {
    const times = this.live(key, now);
    if (times.length < this.max) return 0;
    // The oldest failure that keeps the count at max must leave the window.
    return times[times.length - this.max]! + this.windowMs - now;
  }

  hit(key: string, now: number): void {
    const times = this.live(key, now);
    if (times.length === 0) {
      this.makeRoom(now);
      this.hits.set(key, times);
    }
    times.push(now);
    if (times.length > this.max) times.splice(0, times.length - this.max);
  }

  /** Takes back one hit at `at` (an attempt counted before it was checked turned out right). */
  forgive(key: string, at: number): void {
    const times = this.hits.get(key);
    const index = times?.lastIndexOf(at) ?? -1;
    if (!times || index < 0) return;
    times.splice(index, 1);
    if (times.length === 0) this.hits.delete(key);
  }

  get size(): number {
    return this.hits.size;
  }

  private makeRoom(now: number): void {
    if (this.hits.size < this.maxKeys) return;
    for (const key of [...this.hits.keys()]) this.live(key, now);
    // Still full of live keys: drop the oldest inserted (Map keeps insertion order).
    for (const key of this.hits.keys()) {
      if (this.hits.size < this.maxKeys) break;
      this.hits.delete(key);
    }
  }
}

export interface LoginRateLimitOptions {
  /** Failures per username in the window (default 5). */
  maxFailuresPerUsername?: number | undefined;
  /**
   * Failures per client address in the window (default 20): higher than per
   * username because a command centre behind one NAT shares an address.
   */
  maxFailuresPerClient?: number | undefined;
  /** Default 15 minutes. */
  windowMs?: number | undefined;
  now?: (() => number) | undefined;
}

export interface LoginAttempt {
  /** The password was right: this attempt does not count as a failure. */
  succeeded(): void;
}

/**
 * Per client address AND per username. An attempt counts as a failure from
 * the moment it starts (`begin`), before its password is checked: a hundred
 * guesses sent in parallel cannot all pass the check before the first one is
 * counted. A right password takes its attempt back.
 */
export class LoginRateLimit {
  readonly byClient: SlidingWindow;
  readonly byUsername: SlidingWindow;
  private readonly now: () => number;

  constructor(options: LoginRateLimitOptions = {}) {
    const windowMs = options.windowMs ?? 15 * 60_000;
    this.byUsername = new SlidingWindow(options.maxFailuresPerUsername ?? 5, windowMs);
    this.byClient = new SlidingWindow(options.maxFailuresPerClient ?? 20, windowMs);
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds to wait before this client may try this username; 0 when it may now. */
  waitMs(client: string, username: string): number {
    const now = this.now();
    return Math.max(this.byClient.waitMs(client, now), this.byUsername.waitMs(username, now));
  }

  begin(client: string, username: string): LoginAttempt {
    const at = this.now();
    this.byClient.hit(client, at);
    this.byUsername.hit(username, at);
    return {
      succeeded: () => {
        this.byClient.forgive(client, at);
        this.byUsername.forgive(username, at);
      },
    };
  }
}
