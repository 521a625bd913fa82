import type { RateLimit } from '../config.js';

/**
 * Per-device token buckets. `take` answers how long the caller must wait
 * before the message may proceed: 0 when a token is free. Delaying a device's
 * PUBACK (and therefore its next socket read) slows only that device.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  take(key: string, limit: RateLimit): number {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: limit.burst, updatedAt: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * limit.ratePerSecond);
    bucket.updatedAt = now;
    bucket.tokens -= 1;
    if (bucket.tokens >= 0) return 0;
    return Math.ceil((-bucket.tokens / limit.ratePerSecond) * 1000);
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }
}
