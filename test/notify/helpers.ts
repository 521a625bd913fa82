import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Incident } from '../../src/incidents/incident-store.js';
import { BRIGADE_MIGRATION, BrigadeSubscriptions } from '../../src/notify/subscriptions.js';
import { verifyWebhook } from '../../src/notify/signature.js';
import type { WebhookPayload } from '../../src/notify/incident-changes.js';
import { WebhookDispatcher, WebhookOutbox, type WebhookDispatcherOptions } from '../../src/notify/webhook-outbox.js';
import type { RetryPolicy } from '../../src/notify/retry-policy.js';
import { migrate, openDatabase, type SqliteDatabase } from '../../src/store/sqlite.js';

/** Short backoff so a test sees many retries in well under a second. */
export const FAST_POLICY: Partial<RetryPolicy> = { initialMs: 20, maxMs: 80, maxRetryAfterMs: 200, giveUpAfterMs: 60_000, timeoutMs: 2_000 };

export interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface Store {
  db: SqliteDatabase;
  subscriptions: BrigadeSubscriptions;
  outbox: WebhookOutbox;
}

export interface Fixture extends Store {
  dir: string;
  file: string;
  /** The one clock of outbox, subscriptions and dispatchers: real time plus `offsetMs` (a test moves it forward). */
  clock: { offsetMs: number; now(): number };
  /** Closes the database and opens it again from the same file (a gateway restart). */
  reopen(): Store;
  dispatcher(options?: Partial<WebhookDispatcherOptions>): WebhookDispatcher;
}

export function notifyFixture(t: Teardown): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'brigade-'));
  const file = join(dir, 'gateway.db');
  const clock = {
    offsetMs: 0,
    now: () => Date.now() + clock.offsetMs,
  };
  const open = (): Store => {
    const db = openDatabase(file, { sync: 'normal' });
    migrate(db, [BRIGADE_MIGRATION]);
    return { db, subscriptions: new BrigadeSubscriptions(db, { now: clock.now }), outbox: new WebhookOutbox(db, { now: clock.now }) };
  };
  const dispatchers: WebhookDispatcher[] = [];
  const fixture: Fixture = {
    dir,
    file,
    clock,
    ...open(),
    reopen() {
      if (fixture.db.open) fixture.db.close();
      Object.assign(fixture, open());
      return fixture;
    },
    dispatcher(options = {}) {
      const dispatcher = new WebhookDispatcher({ outbox: fixture.outbox, policy: FAST_POLICY, idlePollMs: 50, now: clock.now, ...options });
      dispatchers.push(dispatcher);
      return dispatcher;
    },
  };
  t.teardown(async () => {
    for (const d of dispatchers) await d.stop();
    if (fixture.db.open) fixture.db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return fixture;
}

let nextIncidentId = 1;

export function incident(overrides: Partial<Incident> = {}): Incident {
  const at = Date.UTC(2025, 0, 1, 3, 0, 0);
  return {
    id: nextIncidentId++,
    ruleId: 'fire-alarm',
    key: 'fd-7a',
    severity: 'orange',
    status: 'open',
    title: 'Fire alarm at Furniture Factory 7',
    summary: 'smoke detector fd-7a in alarm',
    kind: 'fire',
    site: 'north',
    deviceId: 'fd-7a',
    place: 'Furniture Factory 7',
    zone: 'Grid 3',
    lon: 120.21,
    lat: 30.2,
    openedAt: at,
    updatedAt: at,
    acknowledgedAt: null,
    acknowledgedBy: null,
    teamId: null,
    etaSeconds: null,
    targetAtRisk: false,
    brigadeNotified: true,
    dispatchedAt: null,
    acceptedAt: null,
    arrivedAt: null,
    closedAt: null,
    responseSeconds: null,
    note: null,
    updates: 0,
    ...overrides,
  };
}

/** The same incident a little later, changed. */
export const changed = (before: Incident, changes: Partial<Incident>): Incident => ({ ...before, updatedAt: before.updatedAt + 1000, ...changes });

export interface Received {
  key: string;
  timestamp: string;
  signature: string;
  userAgent: string;
  /** The signature checked with the documented algorithm (HMAC-SHA-256 over "timestamp.rawBody"). */
  valid: boolean;
  payload: WebhookPayload;
  status: number;
}

export interface Receiver {
  url: string;
  port: number;
  /** Every request, in arrival order, with the status it was answered. */
  requests: Received[];
  /** Requests answered 2xx, deduplicated by idempotency key: what the receiver's system acted on. */
  accepted(): Map<string, Received>;
  /** The receiver acts on a request (records it) at once but answers only after this long. */
  delayMs: number;
  /** Decides each answer; default 204. */
  respond: (received: Omit<Received, 'status'>, count: number) => { status: number; headers?: Record<string, string> };
  /** Connection refused from now on. */
  down(): Promise<void>;
  /** Listening again on the same port. */
  up(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** A real HTTP receiver on 127.0.0.1 that verifies every signature with `secret()`. */
export async function startReceiver(t: Teardown, secret: () => string): Promise<Receiver> {
  const requests: Received[] = [];
  let server: Server | undefined;
  const receiver: Receiver = {
    url: '',
    port: 0,
    requests,
    respond: () => ({ status: 204 }),
    delayMs: 0,
    accepted() {
      const seen = new Map<string, Received>();
      for (const r of requests) if (r.status >= 200 && r.status < 300 && !seen.has(r.key)) seen.set(r.key, r);
      return seen;
    },
    async down() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async up() {
      const s = createServer((request, response) => void handle(request, response));
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(receiver.port, '127.0.0.1', () => resolve());
      });
      server = s;
      receiver.port = (s.address() as AddressInfo).port;
      receiver.url = `http://127.0.0.1:${receiver.port}/hooks/brigade`;
    },
  };
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : '';
    };
    const seen = {
      key: header('idempotency-key'),
      timestamp: header('x-village-timestamp'),
      signature: header('x-village-signature'),
      userAgent: header('user-agent'),
      valid: verifyWebhook(secret(), header('x-village-timestamp'), header('x-village-signature'), raw),
      payload: JSON.parse(raw) as WebhookPayload,
    };
    const count = requests.filter((r) => r.key === seen.key).length + 1;
    const answer = seen.valid ? receiver.respond(seen, count) : { status: 401 };
    requests.push({ ...seen, status: answer.status });
    if (receiver.delayMs > 0) {
      // Answers late, or never when the client gives up first (the timer must not hold the test process).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, receiver.delayMs);
        response.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (response.destroyed) return;
    response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
    response.end(answer.status >= 400 ? `refused with ${answer.status}` : '');
  }
  await receiver.up();
  t.teardown(() => receiver.down());
  return receiver;
}

/** Polls until `condition` holds; fails after `timeoutMs` (every wait in these tests is bounded). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
