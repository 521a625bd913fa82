import type { Logger } from 'pino';
import { classifyStatus, DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { signWebhook } from './signature.js';
import type { DueDelivery, WebhookOutbox } from './webhook-outbox.js';
import { sendWebhook, type SendRequest, type SendResult } from './webhook-sender.js';

export interface WebhookDispatcherOptions {
  outbox: WebhookOutbox;
  policy?: Partial<RetryPolicy>;
  /** Requests in flight at once (each to a different subscription+incident chain). */
  concurrency?: number;
  /** Longest sleep between looks at the outbox, so a change made elsewhere is noticed. */
  idlePollMs?: number;
  userAgent?: string;
  now?: () => number;
  /** Returns [0, 1); the jitter of the backoff. */
  random?: () => number;
  /** Closed incidents whose deliveries are all finished are forgotten after this long (default 90 days; checked every 6 h). */
  retentionMs?: number;
  /** The HTTP request; injected only by tests that do not want a socket. */
  send?: (request: SendRequest) => Promise<SendResult>;
  log?: Logger;
}

export const DEFAULT_USER_AGENT = 'village-safety-gateway-webhooks/1';

/**
 * Sends what the outbox holds: one request per delivery, signed, with its
 * idempotency key; retries with backoff; keeps the per-chain order (the outbox
 * only hands out the head of each subscription+incident chain). Pending rows stay
 * pending while in flight, so a crash or a stop means "send again, same key".
 */
export class WebhookDispatcher {
  private readonly policy: RetryPolicy;
  private readonly concurrency: number;
  private readonly idlePollMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly send: (request: SendRequest) => Promise<SendResult>;
  private readonly inFlight = new Map<number, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private running = false;
  private abort = new AbortController();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.idlePollMs = Math.max(10, options.idlePollMs ?? 5_000);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.send = options.send ?? sendWebhook;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.unsubscribe = this.options.outbox.onEnqueued(() => this.wake());
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), 6 * 3_600_000);
    this.pruneTimer.unref();
    this.wake();
  }

  /** Stops sending: requests in flight are aborted (their deliveries stay pending and resume at the next start). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    clearInterval(this.pruneTimer);
    this.abort.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Look at the outbox now. */
  wake(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    setImmediate(() => this.pump());
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private pump(): void {
    if (!this.running) return;
    try {
      const free = this.concurrency - this.inFlight.size;
      if (free > 0) {
        for (const delivery of this.options.outbox.due(free, new Set(this.inFlight.keys()))) {
          const done = this.deliver(delivery).finally(() => {
            this.inFlight.delete(delivery.id);
            this.wake();
          });
          this.inFlight.set(delivery.id, done);
        }
      }
      this.schedule(this.options.outbox.nextDueAt(new Set(this.inFlight.keys())));
    } catch (err) {
      this.options.log?.error({ err }, 'brigade outbox could not be read');
      this.schedule(undefined);
    }
  }

  private prune(): void {
    try {
      const removed = this.options.outbox.prune(this.now() - (this.options.retentionMs ?? 90 * 86_400_000));
      if (removed > 0) this.options.log?.info({ removed }, 'old brigade deliveries pruned');
    } catch (err) {
      this.options.log?.error({ err }, 'brigade deliveries could not be pruned');
    }
  }

  private schedule(nextDueAt: number | undefined): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    // With every slot busy, a finishing request wakes us; otherwise sleep until the next due row.
    const busy = this.inFlight.size >= this.concurrency;
    const wait = nextDueAt === undefined || busy ? this.idlePollMs : Math.min(this.idlePollMs, Math.max(0, nextDueAt - this.now()));
    this.timer = setTimeout(() => this.pump(), wait);
    this.timer.unref();
  }

  private async deliver(delivery: DueDelivery): Promise<void> {
    const { outbox, log } = this.options;
    const timestamp = Math.floor(this.now() / 1000);
    const result = await this.send({
      url: delivery.url,
      body: delivery.body,
      timeoutMs: this.policy.timeoutMs,
      signal: this.abort.signal,
      now: this.now,
      headers: {
        'content-type': 'application/json',
        'user-agent': this.options.userAgent ?? DEFAULT_USER_AGENT,
        'x-village-timestamp': String(timestamp),
        'x-village-signature': signWebhook(delivery.secret, timestamp, delivery.body),
        'x-village-event': delivery.type,
        'idempotency-key': delivery.idempotencyKey,
      },
    });
    const at = this.now();
    const base = { at, statusCode: result.statusCode, error: result.error, durationMs: result.durationMs };
    const context = { deliveryId: delivery.id, subscriptionId: delivery.subscriptionId, incidentId: delivery.incidentId, key: delivery.idempotencyKey };
    try {
      if (!this.running && result.statusCode === undefined) {
        outbox.recordAttempt(delivery.id, { ...base, outcome: 'aborted' });
        return;
      }
      const verdict = result.permanent ? 'failed' : classifyStatus(result.statusCode);
      if (verdict === 'delivered') {
        outbox.recordAttempt(delivery.id, { ...base, outcome: 'delivered' });
        log?.info({ ...context, status: result.statusCode, attempts: delivery.attempts + 1, ms: result.durationMs }, 'brigade webhook delivered');
      } else if (verdict === 'failed') {
        outbox.recordAttempt(delivery.id, { ...base, outcome: 'failed' });
        log?.warn({ ...context, status: result.statusCode, error: result.error }, 'brigade webhook refused by the receiver: not retried');
      } else if (at - delivery.retrySince >= this.policy.giveUpAfterMs) {
        outbox.recordAttempt(delivery.id, { ...base, outcome: 'dead' });
        log?.error({ ...context, attempts: delivery.attempts + 1, error: result.error }, 'brigade webhook given up after the retry horizon');
      } else {
        const delay = retryDelayMs(delivery.attempts + 1, this.policy, this.random, result.retryAfterMs);
        outbox.recordAttempt(delivery.id, { ...base, outcome: 'retry', nextAttemptAt: at + delay });
        log?.warn({ ...context, attempts: delivery.attempts + 1, status: result.statusCode, error: result.error, retryInMs: delay }, 'brigade webhook not delivered: will retry');
      }
    } catch (err) {
      // The database went away under us (shutdown): the row is still pending and is sent again later with the same key.
      log?.error({ err, ...context }, 'brigade webhook attempt could not be recorded');
    }
  }
}
