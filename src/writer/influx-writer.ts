/**
 * Drains the durable outbox into InfluxDB. Rows leave the outbox only after the server took
 * them (2xx) or after a line was refused on its own and dead-lettered, so an outage or a crash
 * loses nothing that ingest acknowledged; ingest is never blocked, because the writer only
 * reads and deletes outbox rows between its awaits.
 */
import type { Logger } from 'pino';
import type { DeadLetterSink, OutboxBatch, OutboxReader } from '../store/outbox-types.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { findRefusedLines, type ChunkResult } from './bisect.js';
import { InfluxHttp, type InfluxHttpOptions } from './influx-http.js';
import { describeTarget, quoteIdentifier, type InfluxTarget } from './influx-target.js';
import { classifyWriteFailure, truncate, type WriteFailure, type WriteFailureKind } from './write-failure.js';

export type { InfluxTarget } from './influx-target.js';
export type { WriteFailureKind } from './write-failure.js';
export { ensureDatabase } from './influx-http.js';

export type WriterState = 'stopped' | 'idle' | 'writing' | 'backoff';

export interface WriterMetrics {
  /** A batch settled: `lines` accepted by the server, `seconds` from first request to settled. */
  batchWritten(lines: number, seconds: number): void;
  /** One per failed HTTP request (bisecting a refused batch makes several 'rejected' ones). */
  writeFailed(kind: WriteFailureKind): void;
  /** Lines refused on their own and moved to the dead-letter store. */
  linesDeadLettered(count: number): void;
  /** State changes, for a gauge; optional. */
  state?(state: WriterState): void;
}

export const noopWriterMetrics: WriterMetrics = {
  batchWritten() {},
  writeFailed() {},
  linesDeadLettered() {},
  state() {},
};

export interface WriterClock {
  now(): number;
}

/** Injected so tests can run the retry and idle timing on a fake clock. */
export interface WriterTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface InfluxWriterOptions {
  target: InfluxTarget;
  log: Logger;
  metrics?: WriterMetrics;
  /** Lines per request; InfluxDB's own guidance is 5,000 (DESIGN.md: ~140k points/s here). */
  batchLines?: number;
  /** After an idle wake-up, wait this long so a trickle of small commits becomes one request. */
  lingerMs?: number;
  /** Idle re-check of the outbox, should an append notification ever be missed. */
  idlePollMs?: number;
  /** How long `stop()` lets an in-flight request finish before aborting it. */
  stopGraceMs?: number;
  backoff?: Partial<BackoffOptions>;
  http?: InfluxHttpOptions;
  clock?: WriterClock;
  timers?: WriterTimers;
}

export interface WriterStatus {
  /** False while writes are failing for non-data reasons (the server is down, refuses us, …). */
  healthy: boolean;
  state: WriterState;
  lastError?: string;
  lastErrorAt?: number;
  lastSuccessAt?: number;
  /** The current retry delay; 0 when the last write succeeded. */
  backoffMs: number;
  consecutiveFailures: number;
}

const DETAIL_MAX = 500;
const PREVIEW_MAX = 512;
const PING_TIMEOUT_MS = 2_000;

/** Thrown inside the loop to unwind when `stop()` was called; never escapes the writer. */
class WriterStopping extends Error {
  constructor() {
    super('writer stopping');
    this.name = 'WriterStopping';
  }
}

const realTimers: WriterTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class InfluxWriter {
  private readonly target: InfluxTarget;
  private readonly log: Logger;
  private readonly metrics: WriterMetrics;
  private readonly batchLines: number;
  private readonly lingerMs: number;
  private readonly idlePollMs: number;
  private readonly stopGraceMs: number;
  private readonly clock: WriterClock;
  private readonly timers: WriterTimers;
  private readonly http: InfluxHttp;
  private readonly backoff: Backoff;

  private currentState: WriterState = 'stopped';
  private loop: Promise<void> | undefined;
  private stopping = false;
  /** Aborted by stop(): ends idle waits and backoff sleeps at once. */
  private stopSignal = new AbortController();
  /** The request in flight, aborted by stop() after the grace period. */
  private inFlight: AbortController | undefined;
  private appendedSinceRead = false;
  private wakeIdle: (() => void) | undefined;
  private unsubscribeAppend: (() => void) | undefined;
  private createDatabaseTried = false;

  private healthy = true;
  private lastError: string | undefined;
  private lastErrorAt: number | undefined;
  private lastSuccessAt: number | undefined;
  private unhealthySince: number | undefined;

  constructor(
    options: InfluxWriterOptions,
    private readonly outbox: OutboxReader,
    private readonly deadLetters: DeadLetterSink,
  ) {
    this.target = options.target;
    this.log = options.log;
    this.metrics = options.metrics ?? noopWriterMetrics;
    this.batchLines = options.batchLines ?? 5_000;
    this.lingerMs = options.lingerMs ?? 100;
    this.idlePollMs = options.idlePollMs ?? 1_000;
    this.stopGraceMs = options.stopGraceMs ?? 2_000;
    this.clock = options.clock ?? Date;
    this.timers = options.timers ?? realTimers;
    this.http = new InfluxHttp(options.target, options.http);
    this.backoff = new Backoff(options.backoff);
    if (!Number.isInteger(this.batchLines) || this.batchLines < 1) {
      throw new Error(`batchLines must be a positive integer; provided ${options.batchLines}`);
    }
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.stopSignal = new AbortController();
    this.unsubscribeAppend = this.outbox.onAppend(() => {
      this.appendedSinceRead = true;
      this.wakeIdle?.();
    });
    this.log.info({ target: describeTarget(this.target), batchLines: this.batchLines }, 'influx writer started');
    this.loop = this.run();
  }

  /**
   * Ends waits at once and lets a request in flight finish for `stopGraceMs` (so its rows are
   * removed and not sent twice), then aborts it; unsent rows stay in the outbox for next time.
   */
  async stop(): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    this.stopping = true;
    this.stopSignal.abort();
    this.unsubscribeAppend?.();
    this.unsubscribeAppend = undefined;
    const grace = this.timers.setTimeout(() => this.inFlight?.abort(new WriterStopping()), this.stopGraceMs);
    try {
      await loop;
    } finally {
      this.timers.clearTimeout(grace);
      this.loop = undefined;
      this.setState('stopped');
      this.log.info({ status: this.status() }, 'influx writer stopped');
    }
  }

  status(): WriterStatus {
    return {
      healthy: this.healthy,
      state: this.currentState,
      ...(this.lastError !== undefined ? { lastError: this.lastError, lastErrorAt: this.lastErrorAt } : {}),
      ...(this.lastSuccessAt !== undefined ? { lastSuccessAt: this.lastSuccessAt } : {}),
      backoffMs: this.backoff.currentMs,
      consecutiveFailures: this.backoff.attempts,
    };
  }

  /** For /readyz: does the server answer `GET /ping`? Never throws; the reason is logged at debug. */
  async ping(): Promise<boolean> {
    try {
      await this.http.ping(AbortSignal.timeout(PING_TIMEOUT_MS));
      return true;
    } catch (err) {
      this.log.debug({ error: classifyWriteFailure(err, this.clock.now()).message }, 'InfluxDB ping failed');
      return false;
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        this.appendedSinceRead = false;
        const batch = this.outbox.readBatch(this.batchLines);
        if (batch) await this.deliverBatch(batch);
        else await this.waitForLines();
      } catch (err) {
        if (err instanceof WriterStopping) break;
        // Not an HTTP failure (those are handled in deliverBatch): the outbox itself failed.
        // Keep the loop alive; the rows are still there for the next attempt.
        const delayMs = this.backoff.next();
        this.log.error({ err, delayMs }, 'influx writer loop failed; retrying');
        try {
          await this.sleep(delayMs);
        } catch {
          break;
        }
      }
    }
  }

  /** Writes a batch until it is settled, then removes it from the outbox. */
  private async deliverBatch(batch: OutboxBatch): Promise<void> {
    const started = this.clock.now();
    const first = await this.writeUntilSettled(batch.lines);
    let accepted = batch.lines.length;
    if (!first.accepted) {
      const refused = await findRefusedLines(batch.lines, first.detail, (chunk) => this.writeUntilSettled(chunk));
      for (const { line, detail } of refused) this.deadLetter(line, detail, batch);
      accepted -= refused.length;
      this.metrics.linesDeadLettered(refused.length);
      this.log.warn(
        { rows: batch.lastRowId - batch.firstRowId + 1, lines: batch.lines.length, refused: refused.length, detail: first.detail },
        'InfluxDB refused lines of a batch; refused lines dead-lettered, the rest written',
      );
    }
    this.outbox.remove(batch);
    this.metrics.batchWritten(accepted, (this.clock.now() - started) / 1000);
  }

  /** Retries until the server gives a verdict on the data itself: accepted or refused. */
  private async writeUntilSettled(lines: readonly string[]): Promise<ChunkResult> {
    for (;;) {
      if (this.stopping) throw new WriterStopping();
      this.setState('writing');
      const request = new AbortController();
      this.inFlight = request;
      let failure: WriteFailure;
      try {
        await this.http.write(lines, request.signal);
        this.onWriteSucceeded();
        return { accepted: true };
      } catch (err) {
        if (err instanceof WriterStopping) throw err;
        failure = classifyWriteFailure(err, this.clock.now());
      } finally {
        this.inFlight = undefined;
      }
      this.metrics.writeFailed(failure.kind);
      if (failure.kind === 'rejected') {
        // The server is up and judging our data; that is healthy.
        this.onWriteSucceeded();
        return { accepted: false, detail: failure.message };
      }
      if (failure.databaseNotFound && (await this.tryCreateDatabase())) continue;
      await this.backOff(failure, lines.length);
    }
  }

  private async backOff(failure: WriteFailure, lines: number): Promise<void> {
    const delayMs = this.backoff.next(failure.retryAfterMs);
    const now = this.clock.now();
    if (this.healthy) this.unhealthySince = now;
    this.healthy = false;
    this.lastError = failure.status === undefined ? failure.message : `HTTP ${failure.status}: ${failure.message}`;
    this.lastErrorAt = now;
    const fields = {
      kind: failure.kind,
      status: failure.status,
      error: failure.message,
      lines,
      attempt: this.backoff.attempts,
      delayMs,
      depth: this.outbox.depth().lines,
    };
    if (failure.misconfigured) {
      this.log.error({ ...fields, target: describeTarget(this.target) }, 'InfluxDB refuses us (URL, credentials or database?); retrying');
    } else {
      this.log.warn(fields, 'InfluxDB write failed; retrying');
    }
    this.setState('backoff');
    await this.sleep(delayMs);
  }

  private onWriteSucceeded(): void {
    const now = this.clock.now();
    if (!this.healthy) {
      this.log.info({ downMs: now - (this.unhealthySince ?? now), attempts: this.backoff.attempts }, 'InfluxDB writes recovered');
    }
    this.healthy = true;
    this.lastSuccessAt = now;
    this.unhealthySince = undefined;
    this.createDatabaseTried = false;
    this.backoff.reset();
  }

  /**
   * InfluxDB 1.x: the database is missing (a fresh or wiped server). Start-up creates it too;
   * here we try once per outage, so a server that will not let us create it is not hammered.
   */
  private async tryCreateDatabase(): Promise<boolean> {
    if (this.target.api !== 'v1' || this.createDatabaseTried) return false;
    this.createDatabaseTried = true;
    try {
      await this.http.query(`CREATE DATABASE ${quoteIdentifier(this.target.database)}`, this.stopSignal.signal);
      this.log.warn({ database: this.target.database }, 'InfluxDB database was missing; created it');
      return true;
    } catch (err) {
      if (this.stopping) throw new WriterStopping();
      this.log.error({ err, database: this.target.database }, 'InfluxDB database is missing and could not be created');
      return false;
    }
  }

  private deadLetter(line: string, detail: string, batch: OutboxBatch): void {
    this.log.warn(
      { detail: truncate(detail, DETAIL_MAX), line: truncate(line, 200), firstRowId: batch.firstRowId },
      'line refused by InfluxDB; dead-lettered',
    );
    this.deadLetters.record({
      stage: 'influx',
      reason: 'influx_rejected',
      detail: truncate(detail, DETAIL_MAX),
      payloadPreview: truncate(line, PREVIEW_MAX),
      payloadSize: Buffer.byteLength(line),
      receivedAt: this.clock.now(),
    });
  }

  /** Sleeps until lines are appended (then lingers briefly to gather a trickle) or the poll timer. */
  private async waitForLines(): Promise<void> {
    this.setState('idle');
    if (!this.appendedSinceRead) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.timers.clearTimeout(timer);
          this.wakeIdle = undefined;
          this.stopSignal.signal.removeEventListener('abort', wake);
          resolve();
        };
        const timer = this.timers.setTimeout(wake, this.idlePollMs);
        this.wakeIdle = wake;
        this.stopSignal.signal.addEventListener('abort', wake, { once: true });
        if (this.stopSignal.signal.aborted) wake();
      });
    }
    if (this.appendedSinceRead && this.lingerMs > 0) await this.sleep(this.lingerMs);
  }

  /** Rejects with WriterStopping as soon as stop() is called. */
  private sleep(ms: number): Promise<void> {
    const signal = this.stopSignal.signal;
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new WriterStopping());
      const onAbort = () => {
        this.timers.clearTimeout(timer);
        reject(new WriterStopping());
      };
      const timer = this.timers.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private setState(state: WriterState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.metrics.state?.(state);
  }
}
