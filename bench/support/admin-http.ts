import { sleep } from './machine.js';

/**
 * The gateway's HTTP API as the benchmarks use it: admin bearer token,
 * JSON in and out. The API rate-limits every client address to 1,200
 * requests a minute; a 429 is waited out (Retry-After, bounded), never
 * hammered.
 */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

export class AdminApi {
  /** Requests answered 429 and retried, to report when the rate limit shaped a run. */
  throttled = 0;

  constructor(
    readonly httpPort: number,
    private readonly token: string,
  ) {}

  async call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, timeoutMs = 60_000): Promise<ApiAnswer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await fetch(`http://127.0.0.1:${this.httpPort}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      });
      const text = await response.text();
      if (response.status === 429 && Date.now() < deadline) {
        this.throttled++;
        const retryAfterS = Number(response.headers.get('retry-after') ?? '1');
        await sleep(Math.min(Math.max(retryAfterS, 1) * 1000, Math.max(0, deadline - Date.now())));
        continue;
      }
      return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    }
  }

  /** Like `call`, but anything other than `expect` is an error naming the route and the answer. */
  async must(method: 'GET' | 'POST' | 'DELETE', path: string, body: unknown, expect: number): Promise<unknown> {
    const answer = await this.call(method, path, body);
    if (answer.status !== expect) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }
}

export { mapBounded } from '../../src/map-bounded.js';
