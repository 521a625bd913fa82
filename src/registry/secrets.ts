import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Device secrets are random tokens issued once; only a salted scrypt hash is
 * stored. The format carries its parameters so the cost can be raised later
 * without invalidating existing devices: scrypt$N$r$p$salt$hash (base64url).
 */

const KEY_LENGTH = 32;

export function issueSecret(): string {
  return randomBytes(24).toString('base64url');
}

function derive(secret: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashSecret(secret: string, cost: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, cost, 8, 1);
  return ['scrypt', cost, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(secret, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Remembers recently verified (device, secret) pairs for a while, keyed by an
 * HMAC with a per-process random key, so a reconnect storm after a restart of
 * the network does not cost one scrypt per device per reconnect. Nothing here
 * is persisted; a changed or revoked secret evicts the entry.
 */
export class VerifiedSecretCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, { tag: Buffer; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private tag(deviceId: string, secret: string): Buffer {
    return createHmac('sha256', this.key).update(deviceId).update('\0').update(secret).digest();
  }

  has(deviceId: string, secret: string): boolean {
    const entry = this.entries.get(deviceId);
    if (!entry) return false;
    if (entry.until < this.now()) {
      this.entries.delete(deviceId);
      return false;
    }
    return timingSafeEqual(entry.tag, this.tag(deviceId, secret));
  }

  remember(deviceId: string, secret: string): void {
    this.entries.set(deviceId, { tag: this.tag(deviceId, secret), until: this.now() + this.ttlMs });
  }

  forget(deviceId: string): void {
    this.entries.delete(deviceId);
  }
}
