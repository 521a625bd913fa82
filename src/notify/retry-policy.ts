/**
 * When to try a webhook again, and when to stop. Pure: attempts, clock and
 * randomness come in as arguments.
 */

export interface RetryPolicy {
  /** Delay after the first failure. */
  initialMs: number;
  /** The exponential step stops growing here. */
  maxMs: number;
  factor: number;
  /** A receiver's Retry-After is honoured up to this. */
  maxRetryAfterMs: number;
  /** A delivery still failing this long after it was enqueued is given up ("dead"). */
  giveUpAfterMs: number;
  /** Per request. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  initialMs: 1_000,
  maxMs: 300_000,
  factor: 2,
  maxRetryAfterMs: 300_000,
  giveUpAfterMs: 24 * 3_600_000,
  timeoutMs: 10_000,
};

/** Delay before attempt number `attempts + 1`, after `attempts` failures; "equal jitter" (half fixed, half random). */
export function retryDelayMs(attempts: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxRetryAfterMs, Math.max(policy.initialMs, retryAfterMs));
  const step = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempts - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export type AttemptOutcome = 'delivered' | 'retry' | 'failed';

/** 2xx delivered; network errors, timeouts, 408, 429 and 5xx are retried; any other answer (3xx, 4xx) is a permanent failure. */
export function classifyStatus(statusCode: number | undefined): AttemptOutcome {
  if (statusCode === undefined) return 'retry';
  if (statusCode >= 200 && statusCode < 300) return 'delivered';
  if (statusCode === 408 || statusCode === 429 || statusCode >= 500) return 'retry';
  return 'failed';
}
