/**
 * The thin HTTP shell around InfluxDB: one request per call, no retries, no buffering. We use
 * the client library's transport (TLS, proxies, gzip, tokens) but not its WriteApi, whose
 * retry buffer drops lines after `maxRetries`/`maxBufferLines`: our outbox is the buffer, and
 * the status codes are ours to judge (write-failure.ts).
 */
import { InfluxDB, type Transport } from '@influxdata/influxdb-client';
import { authHeaders, quoteIdentifier, writePath, type InfluxTarget } from './influx-target.js';

export interface InfluxHttpOptions {
  /** Whole-request deadline; a stuck server must not hold the writer forever. */
  requestTimeoutMs?: number;
  /** Gzip bodies larger than this (worth it over a WAN, not on loopback). Default: never. */
  gzipThresholdBytes?: number;
}

/** Thrown when our own deadline aborts a request; classified as a network failure. */
export class InfluxRequestTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`no answer from InfluxDB within ${timeoutMs} ms`);
    this.name = 'InfluxRequestTimeout';
  }
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export class InfluxHttp {
  private readonly transport: Transport;
  private readonly requestTimeoutMs: number;
  private readonly gzipThresholdBytes: number | undefined;
  private readonly auth: Record<string, string>;

  constructor(
    private readonly target: InfluxTarget,
    options: InfluxHttpOptions = {},
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.gzipThresholdBytes = options.gzipThresholdBytes;
    this.transport = new InfluxDB({
      url: target.url,
      ...(target.api === 'v2' && target.token ? { token: target.token } : {}),
      // The transport's socket timeout only reports, it does not end the request; our own
      // deadline (below) aborts it, so this one is set just beyond as a backstop.
      timeout: this.requestTimeoutMs + 5_000,
    }).transport;
    this.auth = authHeaders(target);
  }

  /** Resolves on 2xx; rejects with the library's HttpError (statusCode, body, headers) or a network error. */
  async write(lines: readonly string[], signal?: AbortSignal): Promise<void> {
    await this.request(writePath(this.target), lines.join('\n'), 'POST', { 'content-type': 'text/plain; charset=utf-8' }, signal, true);
  }

  /** `GET /ping`: 204 from InfluxDB 1.x, 2.x and VictoriaMetrics alike (measured on VM 1.79). */
  async ping(signal?: AbortSignal): Promise<void> {
    await this.request('/ping', '', 'GET', {}, signal, false);
  }

  /** One InfluxQL statement through the v1 `/query` endpoint (POST: it may write). */
  async query(statement: string, signal?: AbortSignal): Promise<unknown> {
    const body = new URLSearchParams({ q: statement }).toString();
    const answer = (await this.request('/query', body, 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, signal, false)) as
      | { error?: string; results?: { error?: string }[] }
      | undefined;
    // InfluxDB 1.x reports a failed statement inside a 200 answer.
    const error = answer?.error ?? answer?.results?.find((r) => r.error)?.error;
    if (error) throw new Error(`InfluxQL \`${statement}\` failed: ${error}`);
    return answer;
  }

  private async request(
    path: string,
    body: string,
    method: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    gzip: boolean,
  ): Promise<unknown> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    const deadline = setTimeout(() => controller.abort(new InfluxRequestTimeout(this.requestTimeoutMs)), this.requestTimeoutMs);
    try {
      return await this.transport.request(path, body, {
        method,
        headers: { ...headers, ...this.auth },
        signal: controller.signal,
        ...(gzip && this.gzipThresholdBytes !== undefined ? { gzipThreshold: this.gzipThresholdBytes } : {}),
      });
    } catch (err) {
      // The library reports any abort as a generic AbortError; say why it was aborted.
      if (controller.signal.aborted && controller.signal.reason instanceof Error) throw controller.signal.reason;
      throw err;
    } finally {
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * v1 only: `CREATE DATABASE` (a no-op when it exists, in every 1.x). v2 buckets are
 * provisioned with their retention and tokens by whoever runs the server, so nothing is done.
 */
export async function ensureDatabase(target: InfluxTarget, options: InfluxHttpOptions = {}): Promise<void> {
  if (target.api !== 'v1') return;
  await new InfluxHttp(target, options).query(`CREATE DATABASE ${quoteIdentifier(target.database)}`);
}
