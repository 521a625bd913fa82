import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DeadLetter, DeadLetterSink, OutboxBatch, OutboxDepth, OutboxReader, RawBatch, RawEntry } from './outbox-types.js';
import type { CommitReply, OutboxWorkerData, WorkerReply, WorkerRequest } from './outbox-worker.js';
import { toOutboxRows, type OutboxRow } from './outbox-rows.js';
import { openDatabase, type SqliteDatabase } from './sqlite.js';

export interface DurableOutboxOptions {
  file: string;
  sync: 'full' | 'normal';
  /** Above this many un-written messages, appends wait: devices get no PUBACK and retry. */
  maxMessages: number;
  /** Upper bound of lines per stored row, so one row never becomes one huge write. */
  maxLinesPerRow?: number;
  /**
   * Commits handed to the outbox thread before the first is answered (default 3).
   * With one, each thread waits for the other in turn; with two, the next
   * group is ready the moment the thread finishes the last. Answers come back
   * in order (one thread, one queue).
   */
  maxCommitsInFlight?: number;
  /**
   * Raw entries per commit (default 400). Smaller commits keep both threads
   * busy: while the outbox thread prepares one, the main thread answers the
   * devices of the one before and reads their next messages. One huge group
   * would make the two threads take turns.
   */
  maxRawPerCommit?: number;
  /** Told after every commit: messages made durable by it and how long it took from hand-off to answer. */
  onCommit?(messages: number, seconds: number): void;
  /**
   * A module run in the outbox thread that turns raw entries into lines
   * (`PreparerModule`), with its options (structured-cloned to that thread).
   */
  preparer?: { module: string; options: unknown };
}

export interface DeadLetterRecord extends DeadLetter {
  id: number;
}

interface PendingAppend {
  lines: string[];
  messages: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

interface PendingRaw {
  entry: RawEntry;
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
}

interface InFlight {
  resolve: (reply: CommitReply) => void;
  reject: (err: Error) => void;
}

export class OutboxFullError extends Error {
  constructor() {
    super('outbox is full');
    this.name = 'OutboxFullError';
  }
}

/**
 * Durable outbox with group commit. `append` resolves only when its lines are
 * on disk (fsynced WAL), which is when ingest may PUBACK. Commits are grouped:
 * everything appended while the commits in flight are being made goes into
 * the next one, so the cost of an fsync is shared by every message that
 * arrived meanwhile.
 */
export class DurableOutbox extends EventEmitter implements OutboxReader, DeadLetterSink {
  private worker?: Worker;
  private reader?: SqliteDatabase;
  private readonly inFlight = new Map<number, InFlight>();
  private nextSeq = 1;
  /** Commits sent to the outbox thread and not yet answered. */
  private commitsInFlight = 0;
  private flushScheduled = false;
  private pending: PendingAppend[] = [];
  private pendingRaw: PendingRaw[] = [];
  private pendingDeadLetters: { letter: DeadLetter; resolve: () => void; reject: (err: Error) => void }[] = [];
  private pendingMessages = 0;
  private waitingForSpace: (() => void)[] = [];
  private readonly appendListeners = new Set<() => void>();
  private removedThroughRowId = 0;
  /** The writer only sees rows whose commit this thread has counted, so depth accounting cannot drift. */
  private committedThroughRowId = 0;
  private committed: OutboxDepth = { rows: 0, lines: 0, messages: 0 };
  private failure?: Error;
  private closed = false;

  /** Statistics of the last commits, for metrics. */
  readonly stats = { commits: 0, lastCommitMessages: 0, lastCommitSeconds: 0 };

  private readonly maxCommitsInFlight: number;
  private readonly maxRawPerCommit: number;

  constructor(private readonly options: DurableOutboxOptions) {
    super();
    this.maxCommitsInFlight = options.maxCommitsInFlight ?? 3;
    this.maxRawPerCommit = options.maxRawPerCommit ?? 400;
  }

  async start(): Promise<void> {
    mkdirSync(dirname(this.options.file), { recursive: true });
    const fromSources = extname(fileURLToPath(import.meta.url)) === '.ts';
    const workerUrl = new URL(fromSources ? './outbox-worker-boot.mjs' : './outbox-worker.js', import.meta.url);
    const workerData: OutboxWorkerData = {
      file: this.options.file,
      sync: this.options.sync,
      maxLinesPerRow: this.options.maxLinesPerRow ?? 5000,
      ...(this.options.preparer ? { preparer: this.options.preparer } : {}),
    };
    const worker = new Worker(workerUrl, { workerData });
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      worker.once('error', onError);
      worker.once('message', (reply: WorkerReply) => {
        worker.off('error', onError);
        if (reply.op === 'ready') resolve();
        else reject(new Error(`outbox worker failed to start: ${JSON.stringify(reply)}`));
      });
    });
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`outbox worker exited with code ${code}`));
    });
    this.reader = openDatabase(this.options.file, { readonly: true });
    const row = this.reader
      .prepare('SELECT COUNT(*) AS rows, COALESCE(SUM(line_count), 0) AS lines, COALESCE(SUM(messages), 0) AS messages FROM outbox')
      .get() as OutboxDepth;
    this.committed = { ...row };
    this.committedThroughRowId = (this.reader.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM outbox').get() as { id: number }).id;
  }

  /** Resolves once the lines are durable. Waits (no PUBACK) while the outbox is at its bound. */
  async append(lines: string[], messages = 1): Promise<void> {
    this.assertUsable();
    while (this.isFull()) {
      await new Promise<void>((resolve) => this.waitingForSpace.push(resolve));
      this.assertUsable();
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ lines, messages, resolve, reject });
      this.pendingMessages += messages;
      this.scheduleFlush();
    });
  }

  /**
   * A raw entry for the configured preparer. Resolves with the preparer's
   * result once the entry's lines (or its dead letter) are durable; counts as
   * one message against the bound while it waits.
   */
  async appendRaw(entry: RawEntry): Promise<unknown> {
    this.assertUsable();
    if (!this.options.preparer) throw new Error('appendRaw needs an outbox with a preparer');
    while (this.isFull()) {
      await new Promise<void>((resolve) => this.waitingForSpace.push(resolve));
      this.assertUsable();
    }
    return new Promise<unknown>((resolve, reject) => {
      this.pendingRaw.push({ entry, resolve, reject });
      this.pendingMessages += 1;
      this.scheduleFlush();
    });
  }

  /** Durable dead-letter record; grouped with the next outbox commit. */
  recordDurably(letter: DeadLetter): Promise<void> {
    this.assertUsable();
    return new Promise<void>((resolve, reject) => {
      this.pendingDeadLetters.push({ letter, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** DeadLetterSink for callers that need not wait (e.g. the writer's refused lines). */
  record(letter: DeadLetter): void {
    this.recordDurably(letter).catch((err: Error) => this.emit('error', err));
  }

  isFull(): boolean {
    return this.committed.messages + this.pendingMessages >= this.options.maxMessages;
  }

  get maxMessages(): number {
    return this.options.maxMessages;
  }

  depth(): OutboxDepth {
    return { ...this.committed };
  }

  healthy(): boolean {
    return !this.failure && !this.closed && this.worker !== undefined;
  }

  readBatch(maxLines: number): OutboxBatch | null {
    if (!this.reader) return null;
    const rows = this.reader
      .prepare('SELECT id, messages, line_count AS lineCount, lines FROM outbox WHERE id > ? AND id <= ? ORDER BY id LIMIT 256')
      .iterate(this.removedThroughRowId, this.committedThroughRowId) as IterableIterator<{ id: number; messages: number; lineCount: number; lines: string }>;
    let batch: OutboxBatch | null = null;
    for (const row of rows) {
      if (batch && batch.lines.length + row.lineCount > maxLines) break;
      batch ??= { firstRowId: row.id, lastRowId: row.id, lines: [], messages: 0 };
      batch.lastRowId = row.id;
      batch.messages += row.messages;
      for (const line of row.lines.split('\n')) batch.lines.push(line);
    }
    return batch;
  }

  remove(batch: OutboxBatch): void {
    if (batch.lastRowId <= this.removedThroughRowId) return;
    this.removedThroughRowId = batch.lastRowId;
    this.committed.rows -= batch.lastRowId - batch.firstRowId + 1;
    this.committed.lines -= batch.lines.length;
    this.committed.messages -= batch.messages;
    // Deleting is not urgent: a row replayed after a crash rewrites identical points.
    this.request({ op: 'remove', seq: 0, throughRowId: batch.lastRowId }).catch((err: Error) => this.emit('error', err));
    this.releaseSpace();
  }

  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  listDeadLetters(filter: { deviceId?: string; reason?: string; beforeId?: number; limit: number }): DeadLetterRecord[] {
    if (!this.reader) return [];
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.deviceId) {
      where.push('device_id = ?');
      params.push(filter.deviceId);
    }
    if (filter.reason) {
      where.push('reason = ?');
      params.push(filter.reason);
    }
    if (filter.beforeId) {
      where.push('id < ?');
      params.push(filter.beforeId);
    }
    const sql = `SELECT id, received_at AS receivedAt, stage, reason, site, kind, device_id AS deviceId, topic, detail,
                        payload_preview AS payloadPreview, payload_size AS payloadSize
                 FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.reader.prepare(sql).all(...params, filter.limit) as DeadLetterRecord[];
  }

  async stop(): Promise<void> {
    if (this.closed || !this.worker) return;
    while (this.commitsInFlight > 0 || this.hasPending()) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (this.failure) break;
    }
    if (!this.failure) await this.request({ op: 'close', seq: 0 }).catch(() => undefined);
    this.closed = true;
    this.reader?.close();
    await this.worker.terminate();
    for (const wake of this.waitingForSpace.splice(0)) wake();
  }

  private assertUsable(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('outbox is closed');
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.commitsInFlight >= this.maxCommitsInFlight) return;
    this.flushScheduled = true;
    // setImmediate lets every packet of the socket chunks already read join this commit.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.commitsInFlight < this.maxCommitsInFlight && !this.failure && this.hasPending()) this.commitNext();
  }

  private hasPending(): boolean {
    return this.pending.length > 0 || this.pendingRaw.length > 0 || this.pendingDeadLetters.length > 0;
  }

  private commitNext(): void {
    const group = this.pending;
    const raw = this.pendingRaw.length > this.maxRawPerCommit ? this.pendingRaw.splice(0, this.maxRawPerCommit) : this.pendingRaw;
    const letters = this.pendingDeadLetters;
    this.pending = [];
    if (raw === this.pendingRaw) this.pendingRaw = [];
    this.pendingDeadLetters = [];
    const rows = this.toRows(group);
    const rowMessages = rows.reduce((sum, row) => sum + row.messages, 0);
    const request: WorkerRequest = { op: 'commit', seq: 0, rows, deadLetters: letters.map((l) => l.letter), ...(raw.length > 0 ? { raw: packRaw(raw) } : {}) };
    this.commitsInFlight++;
    const started = process.hrtime.bigint();
    this.request(request).then(
      (reply) => {
        this.commitsInFlight--;
        if (reply.lastRowId !== undefined) this.committedThroughRowId = reply.lastRowId;
        const added = reply.added ?? { rows: rows.length, lines: rows.reduce((sum, row) => sum + row.lineCount, 0), messages: rowMessages };
        this.pendingMessages -= rowMessages + raw.length;
        this.committed.rows += added.rows;
        this.committed.lines += added.lines;
        this.committed.messages += added.messages;
        this.stats.commits++;
        this.stats.lastCommitMessages = added.messages;
        this.stats.lastCommitSeconds = Number(process.hrtime.bigint() - started) / 1e9;
        this.options.onCommit?.(added.messages, this.stats.lastCommitSeconds);
        for (const item of group) item.resolve();
        const results = reply.results ?? [];
        for (let i = 0; i < raw.length; i++) raw[i]!.resolve(results[i]);
        for (const item of letters) item.resolve();
        if (added.rows > 0) for (const listener of this.appendListeners) listener();
        this.flush();
      },
      (err: Error) => {
        this.commitsInFlight--;
        for (const item of group) item.reject(err);
        for (const item of raw) item.reject(err);
        for (const item of letters) item.reject(err);
        this.fail(err);
      },
    );
  }

  private toRows(group: PendingAppend[]): OutboxRow[] {
    // A message with nothing to store still counts as committed: it leaves the pending count now.
    for (const item of group) if (item.lines.length === 0) this.pendingMessages -= item.messages;
    return toOutboxRows(group, this.options.maxLinesPerRow ?? 5000);
  }

  private releaseSpace(): void {
    while (this.waitingForSpace.length > 0 && !this.isFull()) this.waitingForSpace.shift()!();
  }

  private request(request: WorkerRequest): Promise<CommitReply> {
    const worker = this.worker;
    if (!worker || this.failure) return Promise.reject(this.failure ?? new Error('outbox not started'));
    const seq = this.nextSeq++;
    return new Promise((resolve, reject) => {
      this.inFlight.set(seq, { resolve, reject });
      worker.postMessage({ ...request, seq });
    });
  }

  private onReply(reply: WorkerReply): void {
    if (reply.op === 'ready') return;
    const waiter = this.inFlight.get(reply.seq);
    if (!waiter) return;
    this.inFlight.delete(reply.seq);
    if (reply.op === 'done') waiter.resolve(reply);
    else waiter.reject(new Error(`outbox storage failed: ${reply.message}`));
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const waiter of this.inFlight.values()) waiter.reject(err);
    this.inFlight.clear();
    for (const item of this.pending.splice(0)) item.reject(err);
    for (const item of this.pendingRaw.splice(0)) item.reject(err);
    for (const item of this.pendingDeadLetters.splice(0)) item.reject(err);
    for (const wake of this.waitingForSpace.splice(0)) wake();
    this.emit('error', err);
  }
}

/** Flat arrays cross to the outbox thread as a few memory copies instead of one object per entry. */
function packRaw(raw: readonly PendingRaw[]): RawBatch {
  const metaWidth = raw[0]!.entry.meta.length;
  const meta = new Float64Array(raw.length * metaWidth);
  const offsets = new Uint32Array(raw.length + 1);
  let total = 0;
  for (let i = 0; i < raw.length; i++) {
    const entry = raw[i]!.entry;
    if (entry.meta.length !== metaWidth) throw new Error('raw entries of one outbox must carry the same number of meta values');
    meta.set(entry.meta, i * metaWidth);
    offsets[i] = total;
    total += entry.payload.length;
  }
  offsets[raw.length] = total;
  const payloads = new Uint8Array(total);
  const definitions: [number, unknown][] = [];
  for (let i = 0; i < raw.length; i++) {
    const entry = raw[i]!.entry;
    payloads.set(entry.payload, offsets[i]!);
    if (entry.define !== undefined) definitions.push([i, entry.define]);
  }
  return { meta, metaWidth, offsets, payloads, definitions };
}
