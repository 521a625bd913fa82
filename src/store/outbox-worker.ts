import { parentPort, workerData } from 'node:worker_threads';
import type { DeadLetter } from './outbox-types.js';
import { migrate, openDatabase } from './sqlite.js';
import { OUTBOX_MIGRATIONS } from './outbox-schema.js';

/**
 * The outbox's single writer, on its own thread: the fsync of a group commit
 * must not stall the event loop that reads MQTT sockets. While one commit is
 * on disk the main thread gathers the next group.
 */

export interface OutboxRow {
  lines: string;
  lineCount: number;
  messages: number;
}

export type WorkerRequest =
  | { op: 'commit'; seq: number; rows: OutboxRow[]; deadLetters: DeadLetter[] }
  | { op: 'remove'; seq: number; throughRowId: number }
  | { op: 'close'; seq: number };

export type WorkerReply =
  | { op: 'ready' }
  | { op: 'done'; seq: number; firstRowId?: number; lastRowId?: number }
  | { op: 'failed'; seq: number; message: string };

const { file, sync } = workerData as { file: string; sync: 'full' | 'normal' };
const port = parentPort!;
const db = openDatabase(file, { sync });
migrate(db, OUTBOX_MIGRATIONS);

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

port.on('message', (request: WorkerRequest) => {
  try {
    switch (request.op) {
      case 'commit': {
        const ids = commit(request.rows, request.deadLetters);
        port.postMessage({ op: 'done', seq: request.seq, ...ids } satisfies WorkerReply);
        break;
      }
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
