import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_VERSION = 'v1';

/** `v1=` + hex HMAC-SHA-256(secret, `${timestamp}.${rawBody}`), timestamp in unix seconds. */
export function signWebhook(secret: string, timestampSeconds: number, rawBody: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`).digest('hex');
  return `${SIGNATURE_VERSION}=${mac}`;
}

export interface VerifyOptions {
  /** Reject timestamps further than this from now (default 5 minutes). */
  toleranceSeconds?: number;
  nowSeconds?: number;
}

/**
 * What a receiver does (docs/brigade-webhooks.md): recompute the HMAC over the raw body and
 * compare in constant time, then refuse stale timestamps. The header may list several `v1=`
 * values (during a secret rotation); any match is enough.
 */
export function verifyWebhook(secret: string, timestampHeader: string | undefined, signatureHeader: string | undefined, rawBody: string, options: VerifyOptions = {}): boolean {
  if (!timestampHeader || !signatureHeader || !/^\d{1,12}$/.test(timestampHeader)) return false;
  const timestamp = Number(timestampHeader);
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody));
  return signatureHeader
    .split(',')
    .map((part) => Buffer.from(part.trim()))
    .some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
}
