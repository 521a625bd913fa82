/** Pure parts of the writer: retry timing and what a failed write means. */
import t from 'tap';
import { Backoff } from '../../src/writer/backoff.js';
import { findRefusedLines } from '../../src/writer/bisect.js';
import { classifyWriteFailure, parseRetryAfter } from '../../src/writer/write-failure.js';

t.test('backoff doubles from 100 ms up to 10 s, with the jitter in the upper half', async (t) => {
  const low = new Backoff({ random: () => 0 });
  const high = new Backoff({ random: () => 0.999999 });
  const lows = Array.from({ length: 12 }, () => low.next());
  const highs = Array.from({ length: 12 }, () => high.next());
  t.same(lows, [50, 100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000, 5000]);
  t.same(highs, [100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000, 10000, 10000, 10000]);
  t.equal(low.attempts, 12);
  low.reset();
  t.equal(low.currentMs, 0);
  t.equal(low.next(), 50, 'starts over after a success');
});

t.test('Retry-After wins over the computed delay, within bounds', async (t) => {
  const backoff = new Backoff({ random: () => 0 });
  t.equal(backoff.next(5_000), 5_000, 'honoured even when longer than the current step');
  t.equal(backoff.next(0), 100, '"Retry-After: 0" does not make a hot loop');
  t.equal(backoff.next(86_400_000), 300_000, 'an absurd value is capped at 5 min');
  t.equal(backoff.attempts, 3, 'still counts as failures');
});

t.test('backoff options are checked', async (t) => {
  t.throws(() => new Backoff({ initialMs: 0 }), /provided/);
  t.throws(() => new Backoff({ initialMs: 100, maxMs: 50 }), /provided/);
});

t.test('Retry-After: delay-seconds or HTTP-date (RFC 9110 §10.2.3)', async (t) => {
  const now = Date.parse('2026-11-29T10:00:00Z');
  t.equal(parseRetryAfter('7', now), 7_000);
  t.equal(parseRetryAfter(['2'], now), 2_000);
  t.equal(parseRetryAfter('Sun, 29 Nov 2026 10:00:30 GMT', now), 30_000);
  t.equal(parseRetryAfter('Sun, 29 Nov 2026 09:00:00 GMT', now), 0, 'a date in the past means now');
  t.equal(parseRetryAfter('soon', now), undefined);
  t.equal(parseRetryAfter(undefined, now), undefined);
});

function httpError(statusCode: number, body = '', headers: Record<string, string> = {}) {
  return { statusCode, body, headers, message: `${statusCode}` };
}

t.test('what a failed write means', async (t) => {
  const now = 0;
  const cases = [
    { name: '1.x field type conflict', err: httpError(400, '{"error":"partial write: field type conflict: … dropped=1"}'), kind: 'rejected', message: /^partial write: field type conflict/ },
    { name: '2.x unprocessable', err: httpError(422, '{"code":"unprocessable entity","message":"failure writing points"}'), kind: 'rejected', message: /^failure writing points$/ },
    { name: 'body too large', err: httpError(413, 'too large'), kind: 'rejected', message: /413: too large/ },
    { name: 'throttled', err: httpError(429, '', { 'retry-after': '3' }), kind: 'throttled', retryAfterMs: 3_000 },
    { name: '503 with Retry-After', err: httpError(503, '', { 'retry-after': '1' }), kind: 'throttled', retryAfterMs: 1_000 },
    { name: '503 without', err: httpError(503), kind: 'server' },
    { name: '1.x missing retention policy', err: httpError(500, '{"error":"retention policy not found: x"}'), kind: 'server' },
    { name: 'bad token', err: httpError(401, '{"error":"authorization failed"}'), kind: 'server', misconfigured: true },
    { name: 'no such bucket', err: httpError(404, '{"code":"not found","message":"bucket \\"b\\" not found"}'), kind: 'server', misconfigured: true, databaseNotFound: false },
    { name: '1.x database not found', err: httpError(404, '{"error":"database not found: \\"x\\""}'), kind: 'server', misconfigured: true, databaseNotFound: true },
    { name: 'message only in X-Influxdb-Error', err: httpError(400, '', { 'x-influxdb-error': 'unable to parse' }), kind: 'rejected', message: /^unable to parse$/ },
    { name: 'connection refused', err: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), kind: 'network', message: /ECONNREFUSED/ },
    { name: 'socket reset', err: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), kind: 'network', message: /^ECONNRESET: socket hang up$/ },
  ] as const;
  for (const c of cases) {
    const failure = classifyWriteFailure(c.err, now);
    t.match(failure, { kind: c.kind, ...('retryAfterMs' in c ? { retryAfterMs: c.retryAfterMs } : {}) }, c.name);
    if ('message' in c) t.match(failure.message, c.message, `${c.name}: message`);
    if ('misconfigured' in c) t.equal(failure.misconfigured, c.misconfigured, `${c.name}: misconfigured`);
    if ('databaseNotFound' in c) t.equal(failure.databaseNotFound, c.databaseNotFound, `${c.name}: databaseNotFound`);
  }
});

t.test('bisecting finds every refused line and nothing else', async (t) => {
  const lines = Array.from({ length: 1000 }, (_, i) => `l${i}`);
  const bad = new Set(['l0', 'l1', 'l500', 'l999']);
  let requests = 0;
  const refused = await findRefusedLines(lines, 'whole batch refused', async (chunk) => {
    requests++;
    const hit = chunk.find((l) => bad.has(l));
    return hit ? { accepted: false, detail: `bad: ${hit}` } : { accepted: true };
  });
  t.same(refused, [
    { line: 'l0', detail: 'bad: l0' },
    { line: 'l1', detail: 'bad: l1' },
    { line: 'l500', detail: 'bad: l500' },
    { line: 'l999', detail: 'bad: l999' },
  ]);
  t.ok(requests <= 4 * 2 * Math.ceil(Math.log2(1000)), `${requests} requests for 4 bad lines in 1,000`);

  const single = await findRefusedLines(['only'], 'refused', async () => ({ accepted: true }));
  t.same(single, [{ line: 'only', detail: 'refused' }], 'a one-line batch needs no further request');
  const flaky = await findRefusedLines(['a', 'b'], 'refused as a whole', async () => ({ accepted: true }));
  t.same(flaky, [], 'halves accepted (e.g. after 413): nothing refused');
});
