/**
 * The durable outbox between ingest and the InfluxDB writer.
 * Ingest appends (group-committed, fsynced) before a QoS 1 PUBACK; the writer
 * reads the oldest rows, and removes them only after InfluxDB accepted them.
 */

/** A contiguous run of outbox rows, oldest first. */
export interface OutboxBatch {
  /** Row ids covered, inclusive; pass the batch back to `remove` once written. */
  firstRowId: number;
  lastRowId: number;
  /** InfluxDB line protocol lines, nanosecond precision, timestamps fixed at ingest. */
  lines: string[];
  /** Number of ingested messages these lines came from. */
  messages: number;
}

export interface OutboxDepth {
  rows: number;
  lines: number;
  messages: number;
}

export interface OutboxReader {
  /** Oldest rows up to about `maxLines` lines (at least one row if any), or null when empty. */
  readBatch(maxLines: number): OutboxBatch | null;
  /** Delete the rows of a batch that the server accepted (or that were dead-lettered). */
  remove(batch: OutboxBatch): void;
  depth(): OutboxDepth;
  /** Called after every commit that added rows, so an idle writer can wake. */
  onAppend(listener: () => void): () => void;
}

export interface DeadLetter {
  /** Where it was refused: 'ingest' (before the outbox) or 'influx' (refused by InfluxDB). */
  stage: 'ingest' | 'influx';
  reason: string;
  site?: string;
  kind?: string;
  deviceId?: string;
  topic?: string;
  /** Human-readable cause, never containing personal data in clear text. */
  detail: string;
  /** The payload or line, truncated; for ingest rejects of lock payloads this is withheld (see ingest). */
  payloadPreview?: string;
  payloadSize?: number;
  receivedAt: number;
}

export interface DeadLetterSink {
  record(letter: DeadLetter): void;
}
