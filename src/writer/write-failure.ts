/**
 * What a failed write means for the batch: retry it later, or look for the bad lines in it.
 * Only a refusal of the *data* may ever lead to dropping lines (into the dead-letter store);
 * anything that could be the server's or our configuration's fault is retried.
 */

export type WriteFailureKind = 'network' | 'server' | 'throttled' | 'rejected';

export interface WriteFailure {
  kind: WriteFailureKind;
  status?: number;
  /** The server's own message (InfluxDB 1.x `{"error"}`, 2.x `{"message"}`), or the network error. */
  message: string;
  /** From a Retry-After header, in ms. */
  retryAfterMs?: number;
  /** 401/403/404 and other unexpected 4xx: a wrong URL, credentials or database; logged as errors. */
  misconfigured: boolean;
  /** InfluxDB 1.x answers 404 `database not found: "x"` when the database is missing. */
  databaseNotFound: boolean;
}

/**
 * 400 covers 1.x `unable to parse` and `partial write: field type conflict`, 422 is 2.x's
 * unprocessable points, 413 a body too large (halving the batch fixes that).
 */
const DATA_REFUSED = new Set([400, 413, 422]);
const MESSAGE_MAX = 1_000;

interface HttpErrorLike {
  statusCode: number;
  body?: string;
  message: string;
  headers?: Record<string, string | string[] | undefined>;
}

function isHttpError(err: unknown): err is HttpErrorLike {
  // Duck-typed: the client library's HttpError may come from its CJS or ESM build.
  return typeof err === 'object' && err !== null && typeof (err as HttpErrorLike).statusCode === 'number';
}

export function classifyWriteFailure(err: unknown, nowMs: number): WriteFailure {
  if (!isHttpError(err)) {
    const e = err as NodeJS.ErrnoException | undefined;
    const message = e?.code && !String(e.message).includes(e.code) ? `${e.code}: ${e.message}` : String(e?.message ?? err);
    return { kind: 'network', message: truncate(message, MESSAGE_MAX), misconfigured: false, databaseNotFound: false };
  }
  const status = err.statusCode;
  const message = truncate(serverMessage(err), MESSAGE_MAX);
  const retryAfterMs = parseRetryAfter(err.headers?.['retry-after'], nowMs);
  const base = { status, message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  if (DATA_REFUSED.has(status)) return { ...base, kind: 'rejected', misconfigured: false, databaseNotFound: false };
  if (status === 429) return { ...base, kind: 'throttled', misconfigured: false, databaseNotFound: false };
  if (status >= 500) {
    // 503 with Retry-After is a server shedding load, the same as a 429 for our purposes.
    const kind = status === 503 && retryAfterMs !== undefined ? 'throttled' : 'server';
    return { ...base, kind, misconfigured: false, databaseNotFound: false };
  }
  return {
    ...base,
    kind: 'server',
    misconfigured: status !== 408,
    databaseNotFound: status === 404 && /database not found/i.test(message),
  };
}

function serverMessage(err: HttpErrorLike): string {
  const body = err.body?.trim();
  if (body) {
    try {
      const json = JSON.parse(body) as { error?: unknown; message?: unknown };
      if (typeof json.error === 'string') return json.error;
      if (typeof json.message === 'string') return json.message;
    } catch {
      // Not JSON (a proxy's HTML page, VictoriaMetrics' plain text): the body is the message.
    }
    return `${err.statusCode}: ${body}`;
  }
  const header = err.headers?.['x-influxdb-error'];
  if (typeof header === 'string' && header) return header;
  return err.message;
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. Returns ms, or undefined if absent/invalid. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
