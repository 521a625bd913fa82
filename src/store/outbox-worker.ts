import { parentPort, workerData } from 'node:worker_threads';
import type { DeadLetter, Preparation, PreparerModule, RawBatch } from './outbox-types.js';
import { migrate, openDatabase } from './sqlite.js';
import { OUTBOX_MIGRATIONS } from './outbox-schema.js';
import { toOutboxRows, type OutboxRow } from './outbox-rows.js';

/**
 * The outbox's single writer, on its own thread: the fsync of a group commit
 * must not stall the event loop that reads MQTT sockets. While one commit is
 * on disk the main thread gathers the next group. When a preparer is
 * configured, raw entries (device payloads) are turned into lines here too,
 * in the same turn as their commit, so the main thread neither decodes them
 * nor waits for a second hand-off.
 */


export interface OutboxWorkerData {
  file: string;
  sync: 'full' | 'normal';
  maxLinesPerRow: number;
  preparer?: { module: string; options: unknown };
}

export type WorkerRequest =
  | { op: 'commit'; seq: number; rows: OutboxRow[]; deadLetters: DeadLetter[]; raw?: RawBatch }
  | { op: 'remove'; seq: number; throughRowId: number }
  | { op: 'close'; seq: number };

export interface CommitReply {
  op: 'done';
  seq: number;
  firstRowId?: number;
  lastRowId?: number;
  /** Rows, lines and messages this commit added, raw entries included. */
  added?: { rows: number; lines: number; messages: number };
  /** One per raw entry, in order. */
  results?: unknown[];
}

export type WorkerReply = { op: 'ready' } | CommitReply | { op: 'failed'; seq: number; message: string };

const { file, sync, maxLinesPerRow, preparer: preparerSpec } = workerData as OutboxWorkerData;
const port = parentPort!;
const db = openDatabase(file, { sync });
migrate(db, OUTBOX_MIGRATIONS);
const prepare = preparerSpec
  ? ((await import(preparerSpec.module)) as PreparerModule).createPreparer(preparerSpec.options)
  : undefined;

const insertRow = db.prepare('INSERT INTO outbox (created_at, messages, line_count, lines) VALUES (?, ?, ?, ?)');
const insertDeadLetter = db.prepare(`
  INSERT INTO dead_letters (received_at, stage, reason, site, kind, device_id, topic, detail, payload_preview, payload_size)
  VALUES (@receivedAt, @stage, @reason, @site, @kind, @deviceId, @topic, @detail, @payloadPreview, @payloadSize)`);
const deleteThrough = db.prepare('DELETE FROM outbox WHERE id <= ?');

const commit = db.transaction((rows: OutboxRow[], deadLetters: DeadLetter[]) => {
  const now = Date.now();
  let firstRowId: number | undefined;
  let lastRowId: number | undefined;
  for (const row of rows) {
    const id = Number(insertRow.run(now, row.messages, row.lineCount, row.lines).lastInsertRowid);
    firstRowId ??= id;
    lastRowId = id;
  }
  for (const letter of deadLetters) {
    insertDeadLetter.run({
      site: null,
      kind: null,
      deviceId: null,
      topic: null,
      payloadPreview: null,
      payloadSize: null,
      ...letter,
    });
  }
  return { firstRowId, lastRowId };
});

function handleCommit(request: Extract<WorkerRequest, { op: 'commit' }>): CommitReply {
  let rows = request.rows;
  let deadLetters = request.deadLetters;
  let results: unknown[] | undefined;
  if (request.raw) {
    if (!prepare) throw new Error('raw entries sent to an outbox without a preparer');
    const prepared = prepare(request.raw);
    rows = [...rows, ...toOutboxRows(prepared, maxLinesPerRow)];
    const letters = prepared.flatMap((entry) => (entry.deadLetter ? [entry.deadLetter] : []));
    if (letters.length > 0) deadLetters = [...deadLetters, ...letters];
    results = prepared.map((entry) => entry.result);
  }
  const ids = commit(rows, deadLetters);
  let lines = 0;
  let messages = 0;
  for (const row of rows) {
    lines += row.lineCount;
    messages += row.messages;
  }
  return { op: 'done', seq: request.seq, ...ids, added: { rows: rows.length, lines, messages }, ...(results ? { results } : {}) };
}

port.on('message', (request: WorkerRequest) => {
  try {
    switch (request.op) {
      case 'commit':
        port.postMessage(handleCommit(request) satisfies WorkerReply);
        break;
      case 'remove':
        deleteThrough.run(request.throughRowId);
        port.postMessage({ op: 'done', seq: request.seq } satisfies WorkerReply);
        break;
      case 'close':
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
        port.postMessage({ op: 'done', seq: request.seq } satisfies WorkerReply);
        port.close();
        break;
    }
  } catch (err) {
    port.postMessage({ op: 'failed', seq: request.seq, message: (err as Error).message } satisfies WorkerReply);
  }
});

port.postMessage({ op: 'ready' } satisfies WorkerReply);
