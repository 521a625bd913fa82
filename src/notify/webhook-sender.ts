import { performance } from 'node:perf_hooks';
import { parseRetryAfter } from './retry-policy.js';

export interface SendResult {
  statusCode?: number;
  /** Network error, timeout, or the start of a refusing receiver's answer. */
  error?: string;
  durationMs: number;
  retryAfterMs?: number;
  /** The request can never succeed as configured (e.g. a port fetch refuses): do not retry. */
  permanent?: boolean;
}

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Aborts the request when the dispatcher stops. */
  signal?: AbortSignal;
  now: () => number;
}

const SNIPPET = 300;

/** The start of a refusal's body (it helps whoever reads the delivery log); a 2xx body is not read. */
async function snippetOf(response: Response): Promise<string> {
  const body = response.body;
  if (!body) return '';
  if (response.ok) {
    await body.cancel().catch(() => undefined);
    return '';
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // a body cut off or timed out: what came is enough
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, SNIPPET);
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return 'timeout: no answer in time';
  if (err.name === 'AbortError') return 'aborted';
  const cause = (err as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return `${err.message}: ${typeof code === 'string' ? `${code} ` : ''}${cause.message}`;
  }
  return err.message;
}

/** One POST; never throws. Redirects are not followed (the configured URL must be the final one). */
export async function sendWebhook(request: SendRequest): Promise<SendResult> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  try {
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, redirect: 'manual', signal });
    const text = await snippetOf(response);
    const durationMs = Math.round(performance.now() - started);
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), request.now());
    const ok = response.status >= 200 && response.status < 300;
    return {
      statusCode: response.status,
      durationMs,
      ...(ok ? {} : { error: `HTTP ${response.status}${text ? `: ${text.slice(0, SNIPPET)}` : ''}` }),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  } catch (err) {
    const error = describe(err);
    return { error, durationMs: Math.round(performance.now() - started), ...(/bad port|invalid url|only http/i.test(error) ? { permanent: true } : {}) };
  }
}
