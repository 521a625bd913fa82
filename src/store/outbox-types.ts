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

/**
 * Work the outbox thread does right before a commit, for entries that arrive
 * raw (device payloads): one round trip to that thread turns them into lines
 * and makes them durable. `meta` is a few numbers the preparer understands;
 * `define` travels once with the first entry that needs it.
 */
export interface RawEntry {
  meta: readonly number[];
  payload: Buffer;
  define?: unknown;
}

/** Raw entries as they cross to the outbox thread: flat arrays, no object per entry. */
export interface RawBatch {
  /** `metaWidth` numbers per entry. */
  meta: Float64Array;
  metaWidth: number;
  /** Entry i's payload is payloads[offsets[i] .. offsets[i + 1]). */
  offsets: Uint32Array;
  payloads: Uint8Array;
  /** `[entry index, define]` in entry order: a definition applies from that entry on. */
  definitions: [number, unknown][];
}

export interface Preparation {
  lines: string[];
  /** 1 when the lines are a device message's data (counted in depth and the bound), 0 otherwise. */
  messages: number;
  deadLetter?: DeadLetter;
  /** Handed back to whoever appended the entry, once it is durable. */
  result: unknown;
}

/** What a preparer module (loaded in the outbox thread) exports. */
export interface PreparerModule {
  createPreparer(options: unknown): (batch: RawBatch) => Preparation[];
}
