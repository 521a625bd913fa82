import { randomBytes } from 'node:crypto';
import type { SqliteDatabase } from '../store/sqlite.js';
import { SEVERITIES, type Severity } from '../rules/types.js';

export { BRIGADE_MIGRATION } from './schema.js';

/** A receiver of brigade pushes. The secret is never part of this shape: it is handed out once. */
export interface BrigadeSubscription {
  id: string;
  name: string;
  url: string;
  /** Incidents of these severities are pushed (e.g. red and orange). */
  severities: Severity[];
  /** Incidents of these kinds are pushed (e.g. only fire). */
  kinds: string[];
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface NewSubscription {
  name: string;
  url: string;
  /** Shared HMAC secret; one is generated when not given. */
  secret?: string | undefined;
  severities?: Severity[] | undefined;
  kinds?: string[] | undefined;
  enabled?: boolean | undefined;
}

export interface SubscriptionChanges {
  name?: string | undefined;
  url?: string | undefined;
  severities?: Severity[] | undefined;
  kinds?: string[] | undefined;
  enabled?: boolean | undefined;
}

export const DEFAULT_SEVERITIES: readonly Severity[] = ['red', 'orange'];
export const DEFAULT_KINDS: readonly string[] = ['fire'];
export const SECRET_MIN_LENGTH = 24;

/** Refused subscription input; the message names the field and what is expected. */
export class SubscriptionInputError extends Error {
  override readonly name = 'SubscriptionInputError';
}

/**
 * Ports that fetch (the WHATWG "bad ports" list, enforced by Node's undici) refuses to connect to:
 * a receiver there could never be reached, so such a URL is refused when it is configured.
 */
export const FETCH_BLOCKED_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135,
  137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719,
  1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Only absolute http(s) URLs without credentials (the URL is listed; authenticity comes from the signature). */
export function checkWebhookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SubscriptionInputError('url: expected an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SubscriptionInputError(`url: expected http:// or https://, not ${url.protocol}//`);
  if (url.username || url.password) throw new SubscriptionInputError('url: must not carry a user name or password (receivers authenticate the gateway by the signature)');
  if (url.hash) throw new SubscriptionInputError('url: must not carry a #fragment');
  if (url.port !== '' && FETCH_BLOCKED_PORTS.has(Number(url.port))) throw new SubscriptionInputError(`url: port ${url.port} is on fetch's list of blocked ports; use another port`);
  return url.toString();
}

export const generateSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

const uniq = <T>(values: readonly T[]): T[] => [...new Set(values)];

function checkLists(severities: readonly Severity[], kinds: readonly string[]): void {
  if (severities.length === 0) throw new SubscriptionInputError('severities: expected at least one of red, orange, blue, green');
  for (const s of severities) if (!SEVERITIES.includes(s)) throw new SubscriptionInputError(`severities: expected red, orange, blue or green, not ${s}`);
  if (kinds.length === 0) throw new SubscriptionInputError('kinds: expected at least one incident kind, e.g. fire');
}

type Row = Record<string, unknown>;

function fromRow(row: Row): BrigadeSubscription {
  return {
    id: row.id as string,
    name: row.name as string,
    url: row.url as string,
    severities: JSON.parse(row.severities as string) as Severity[],
    kinds: JSON.parse(row.kinds as string) as string[],
    enabled: row.enabled === 1,
    createdAt: row.created_at as number,
    updatedAt: row.updated_at as number,
  };
}

/** Brigade webhook subscriptions in SQLite (gateway.db). */
export class BrigadeSubscriptions {
  private readonly now: () => number;

  constructor(
    private readonly db: SqliteDatabase,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Stores a subscription; the secret (given or generated) is returned here and never again. */
  create(input: NewSubscription): { subscription: BrigadeSubscription; secret: string } {
    const url = checkWebhookUrl(input.url);
    const severities = uniq(input.severities ?? DEFAULT_SEVERITIES);
    const kinds = uniq(input.kinds ?? DEFAULT_KINDS);
    checkLists(severities, kinds);
    const secret = input.secret ?? generateSecret();
    if (secret.length < SECRET_MIN_LENGTH) throw new SubscriptionInputError(`secret: expected at least ${SECRET_MIN_LENGTH} characters`);
    const id = `bs_${randomBytes(8).toString('hex')}`;
    const at = this.now();
    this.db
      .prepare('INSERT INTO brigade_subscriptions (id, name, url, secret, severities, kinds, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, input.name, url, secret, JSON.stringify(severities), JSON.stringify(kinds), input.enabled === false ? 0 : 1, at, at);
    return { subscription: this.get(id)!, secret };
  }

  get(id: string): BrigadeSubscription | undefined {
    const row = this.db.prepare('SELECT * FROM brigade_subscriptions WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(): BrigadeSubscription[] {
    return (this.db.prepare('SELECT * FROM brigade_subscriptions ORDER BY created_at, rowid').all() as Row[]).map(fromRow);
  }

  update(id: string, changes: SubscriptionChanges): BrigadeSubscription | undefined {
    const current = this.get(id);
    if (!current) return undefined;
    const next = {
      name: changes.name ?? current.name,
      url: changes.url === undefined ? current.url : checkWebhookUrl(changes.url),
      severities: uniq(changes.severities ?? current.severities),
      kinds: uniq(changes.kinds ?? current.kinds),
      enabled: changes.enabled ?? current.enabled,
    };
    checkLists(next.severities, next.kinds);
    this.db
      .prepare('UPDATE brigade_subscriptions SET name = ?, url = ?, severities = ?, kinds = ?, enabled = ?, updated_at = ? WHERE id = ?')
      .run(next.name, next.url, JSON.stringify(next.severities), JSON.stringify(next.kinds), next.enabled ? 1 : 0, this.now(), id);
    return this.get(id);
  }

  /** A new secret, returned this once; the old one stops signing at once. */
  rotateSecret(id: string, secret: string = generateSecret()): { subscription: BrigadeSubscription; secret: string } | undefined {
    if (secret.length < SECRET_MIN_LENGTH) throw new SubscriptionInputError(`secret: expected at least ${SECRET_MIN_LENGTH} characters`);
    const changed = this.db.prepare('UPDATE brigade_subscriptions SET secret = ?, updated_at = ? WHERE id = ?').run(secret, this.now(), id).changes;
    return changed ? { subscription: this.get(id)!, secret } : undefined;
  }

  /** Removes the subscription with its deliveries and their attempt log. */
  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM brigade_subscriptions WHERE id = ?').run(id).changes > 0;
  }

  /** Enabled subscriptions that want incidents of this kind and severity. */
  matching(incident: { kind: string; severity: Severity }): BrigadeSubscription[] {
    return this.list().filter((s) => s.enabled && s.kinds.includes(incident.kind) && s.severities.includes(incident.severity));
  }

  /** The signing secret, for the dispatcher only. */
  secretOf(id: string): string | undefined {
    const row = this.db.prepare('SELECT secret FROM brigade_subscriptions WHERE id = ?').get(id) as { secret: string } | undefined;
    return row?.secret;
  }
}
