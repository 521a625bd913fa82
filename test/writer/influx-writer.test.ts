/**
 * The writer against real servers: one suite that every backend must pass (the
 * aedes-persistence pattern) — InfluxDB 1.6 over the v1 write API, VictoriaMetrics over the v2
 * write API (InfluxDB 1.6 has no /api/v2/write). Status codes that real servers will not produce
 * on demand (429, 503, 401, a hung request) come from a small local stub.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import t, { type Test } from 'tap';
import type { DeadLetter, DeadLetterSink, OutboxBatch, OutboxDepth, OutboxReader } from '../../src/store/outbox-types.js';
import { freeLoopbackPort, startInfluxd, startVictoriaMetrics, type LocalServer } from '../../src/tools/local-servers.js';
import { InfluxWriter, type InfluxTarget, type InfluxWriterOptions, type WriteFailureKind, type WriterMetrics, type WriterState } from '../../src/writer/influx-writer.js';
import { createDatabase, influxCount, influxQuery, pollUntil, vmSampleCount } from '../support/influx.js';

// ---------------------------------------------------------------------------------------------
// In-process fakes: the SQLite outbox has its own tests; here only the writer's use of it matters.

class MemoryOutbox implements OutboxReader {
  private rows: { id: number; lines: string[] }[] = [];
  private head = 0;
  private nextId = 1;
  private readonly listeners = new Set<() => void>();
  readonly removed: OutboxBatch[] = [];

  /** Appends `lines` as rows of `linesPerRow`, as one commit. */
  append(lines: string[], linesPerRow = 1): void {
    for (let i = 0; i < lines.length; i += linesPerRow) {
      this.rows.push({ id: this.nextId++, lines: lines.slice(i, i + linesPerRow) });
    }
    for (const listener of this.listeners) listener();
  }

  readBatch(maxLines: number): OutboxBatch | null {
    if (this.head >= this.rows.length) return null;
    const lines: string[] = [];
    let i = this.head;
    while (i < this.rows.length && (lines.length === 0 || lines.length + this.rows[i]!.lines.length <= maxLines)) {
      lines.push(...this.rows[i]!.lines);
      i++;
    }
    return { firstRowId: this.rows[this.head]!.id, lastRowId: this.rows[i - 1]!.id, lines, messages: i - this.head };
  }

  remove(batch: OutboxBatch): void {
    const first = this.rows[this.head];
    if (!first || first.id !== batch.firstRowId) {
      throw new Error(`remove out of order: head is row ${first?.id}, batch starts at ${batch.firstRowId}`);
    }
    while (this.head < this.rows.length && this.rows[this.head]!.id <= batch.lastRowId) this.head++;
    this.removed.push(batch);
  }

  depth(): OutboxDepth {
    let lines = 0;
    for (let i = this.head; i < this.rows.length; i++) lines += this.rows[i]!.lines.length;
    return { rows: this.rows.length - this.head, lines, messages: this.rows.length - this.head };
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get empty(): boolean {
    return this.head >= this.rows.length;
  }
}

class DeadLetters implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];
  record(letter: DeadLetter): void {
    this.letters.push(letter);
  }
}

class RecordingMetrics implements WriterMetrics {
  linesWritten = 0;
  batches = 0;
  failures: WriteFailureKind[] = [];
  deadLettered = 0;
  states: WriterState[] = [];
  batchWritten(lines: number): void {
    this.linesWritten += lines;
    this.batches++;
  }
  writeFailed(kind: WriteFailureKind): void {
    this.failures.push(kind);
  }
  linesDeadLettered(count: number): void {
    this.deadLettered += count;
  }
  state(state: WriterState): void {
    this.states.push(state);
  }
}

interface LogEntry {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function captureLog(): { log: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void entries.push(JSON.parse(line) as LogEntry) });
  return { log, entries };
}

interface Rig {
  writer: InfluxWriter;
  outbox: MemoryOutbox;
  deadLetters: DeadLetters;
  metrics: RecordingMetrics;
  logs: LogEntry[];
}

function rig(t: Test, target: InfluxTarget, options: Partial<InfluxWriterOptions> = {}): Rig {
  const outbox = new MemoryOutbox();
  const deadLetters = new DeadLetters();
  const metrics = new RecordingMetrics();
  const { log, entries } = captureLog();
  const writer = new InfluxWriter({ target, log, metrics, lingerMs: 20, ...options }, outbox, deadLetters);
  t.teardown(() => writer.stop());
  return { writer, outbox, deadLetters, metrics, logs: entries };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let uniqueCounter = 0;
/** Measurement (and v1 database / v2 bucket) names unique per test, so tests share a server. */
function unique(prefix: string): string {
  return `${prefix}_${process.pid}_${++uniqueCounter}`;
}

/** Distinct timestamps (1 ms apart: VictoriaMetrics keeps ms) within the last hour. */
function points(measurement: string, count: number, field = 'v'): string[] {
  const startNs = (BigInt(Date.now()) - 3_600_000n) * 1_000_000n;
  return Array.from({ length: count }, (_, i) => `${measurement},device=d${i % 10} ${field}=${i}i ${startNs + BigInt(i) * 1_000_000n}`);
}

// ---------------------------------------------------------------------------------------------
// Backends

interface Backend {
  name: string;
  start(options?: { dataDir?: string; port?: number; removeDataDirOnStop?: boolean }): Promise<LocalServer>;
  /** A fresh target on `server` (v1: its own database, created like start-up does). */
  target(server: LocalServer): Promise<InfluxTarget>;
  /** Points stored for measurement/field once at least `expected` are visible (or a timeout). */
  count(server: LocalServer, target: InfluxTarget, measurement: string, field: string, expected: number): Promise<number>;
  /** Does the server refuse a bad line (so it is dead-lettered)? VictoriaMetrics skips it with 204. */
  refusesBadLines: boolean;
}

const influxV1: Backend = {
  name: 'InfluxDB 1.6, v1 write API',
  start: (options) => startInfluxd(options),
  async target(server) {
    const database = unique('db');
    await createDatabase(server.url, database);
    return { api: 'v1', url: server.url, database };
  },
  // InfluxDB answers 204 once points are in the WAL and cache, so they are queryable at once.
  count: (server, target, measurement, field) =>
    influxCount(server.url, target.api === 'v1' ? target.database : '', measurement, field),
  refusesBadLines: true,
};

const victoriaMetricsV2: Backend = {
  name: 'VictoriaMetrics, v2 write API',
  start: (options) => startVictoriaMetrics(options),
  // VM 1.79 ignores the bucket (no label); unique measurement names keep tests apart.
  target: async (server) => ({ api: 'v2', url: server.url, org: 'village', bucket: unique('bucket'), token: 'unused-by-vm' }),
  count: (server, _target, measurement, field, expected) =>
    pollUntil(() => vmSampleCount(server.url, `${measurement}_${field}`), (n) => n >= expected, { timeoutMs: 20_000 }),
  refusesBadLines: false,
};

// ---------------------------------------------------------------------------------------------
// The shared suite

function writerSuite(t: Test, backend: Backend): void {
  let server: LocalServer;
  t.before(async () => {
    server = await backend.start();
  });
  t.teardown(() => server?.stop());

  t.test('a batch lands and leaves the outbox', async (t) => {
    const target = await backend.target(server);
    const { writer, outbox, metrics } = rig(t, target);
    const m = unique('landed');
    outbox.append(points(m, 100));
    writer.start();
    await waitFor('outbox drained', () => outbox.empty);
    t.equal(await backend.count(server, target, m, 'v', 100), 100, 'all 100 points stored');
    t.equal(outbox.removed.length, 1, 'one request, one remove');
    t.equal(metrics.linesWritten, 100);
    const status = writer.status();
    t.equal(status.healthy, true);
    t.type(status.lastSuccessAt, 'number');
    t.equal(status.backoffMs, 0);
    t.equal(await writer.ping(), true, 'ping answers');
  });

  t.test('many batches drain in order, back to back', async (t) => {
    const target = await backend.target(server);
    const { writer, outbox, metrics } = rig(t, target, { batchLines: 5_000 });
    const m = unique('drain');
    const total = 100_000;
    outbox.append(points(m, total), 10);
    const started = performance.now();
    writer.start();
    await waitFor('outbox drained', () => outbox.empty, 60_000);
    const seconds = (performance.now() - started) / 1000;
    t.comment(`${backend.name}: ${total} lines in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} lines/s`);
    t.equal(outbox.removed.length, total / 5_000, 'batches of 5,000 lines');
    t.ok(
      outbox.removed.every((b, i) => i === 0 || b.firstRowId === outbox.removed[i - 1]!.lastRowId + 1),
      'removed oldest first, no gaps',
    );
    t.equal(metrics.linesWritten, total);
    t.equal(await backend.count(server, target, m, 'v', total), total, 'every point stored');

    // Idle now; a trickle is noticed without waiting for the poll timer.
    const later = unique('trickle');
    const appendedAt = performance.now();
    outbox.append(points(later, 3));
    await waitFor('trickle written', () => outbox.empty, 5_000);
    t.ok(performance.now() - appendedAt < 900, 'woken by the append, not the 1 s poll');
    t.equal(await backend.count(server, target, later, 'v', 3), 3);
  });

  t.test('a bad line in a batch of 1,000: only it is dead-lettered, the 999 others land', async (t) => {
    const target = await backend.target(server);
    const { writer, outbox, deadLetters, metrics } = rig(t, target);
    const m = unique('conflict');
    // InfluxDB fixes a field's type at its first write: `f` is an integer from now on.
    const primer = rig(t, target);
    primer.outbox.append([`${m} f=1i ${(BigInt(Date.now()) - 7_200_000n) * 1_000_000n}`]);
    primer.writer.start();
    await waitFor('primer written', () => primer.outbox.empty);
    await primer.writer.stop();

    const batch = points(m, 1_000, 'f');
    const badIndex = 637;
    const badLine = `${m},device=d7 f="x" ${batch[badIndex]!.split(' ').at(-1)}`;
    batch[badIndex] = badLine;
    outbox.append(batch);
    writer.start();
    await waitFor('batch settled', () => outbox.empty);

    if (backend.refusesBadLines) {
      t.equal(deadLetters.letters.length, 1, 'exactly one line dead-lettered');
      const letter = deadLetters.letters[0]!;
      t.match(letter, { stage: 'influx', reason: 'influx_rejected', payloadPreview: badLine });
      t.match(letter.detail, /field type conflict/);
      t.equal(metrics.deadLettered, 1);
      t.equal(await backend.count(server, target, m, 'f', 1_000), 1_000, 'primer + the 999 good lines');
    } else {
      // VictoriaMetrics stores a string field as 0 and answers 204: nothing to dead-letter.
      t.equal(deadLetters.letters.length, 0, 'the server took everything');
      t.equal(await backend.count(server, target, m, 'f', 1_001), 1_001, 'primer + 1,000 lines');
    }
    t.equal(outbox.removed.length, 1, 'the batch left the outbox');
    t.equal(writer.status().healthy, true, 'a refused line does not make the server unhealthy');
  });

  t.test('an unparsable line does not block the batch', async (t) => {
    const target = await backend.target(server);
    const { writer, outbox, deadLetters } = rig(t, target);
    const m = unique('unparsable');
    const batch = points(m, 200);
    batch.splice(100, 0, 'this is not line protocol');
    outbox.append(batch);
    writer.start();
    await waitFor('batch settled', () => outbox.empty);
    t.equal(deadLetters.letters.length, backend.refusesBadLines ? 1 : 0, backend.refusesBadLines ? 'dead-lettered' : 'VM drops it silently (204)');
    if (backend.refusesBadLines) t.match(deadLetters.letters[0]!.detail, /unable to parse/);
    t.equal(await backend.count(server, target, m, 'v', 200), 200, 'the 200 good lines landed');
  });

  t.test('server down at start: retries with growing backoff, removes nothing; back on the same port: all lands', async (t) => {
    const outage = await backend.start();
    t.teardown(() => outage.stop());
    const target = await backend.target(outage);
    const restart = outage.restartOptions();
    await outage.stop({ keepData: true });

    const { writer, outbox, logs, metrics } = rig(t, target);
    const m = unique('outage');
    outbox.append(points(m, 500), 5);
    writer.start();
    await sleep(2_500);
    t.equal(outbox.removed.length, 0, 'nothing removed while the server is down');
    const status = writer.status();
    t.equal(status.healthy, false);
    t.match(status.lastError, /ECONNREFUSED/);
    t.ok(status.consecutiveFailures >= 4, `retried (${status.consecutiveFailures} attempts)`);
    const delays = logs.filter((e) => e.msg === 'InfluxDB write failed; retrying').map((e) => e.delayMs as number);
    t.ok(delays[0]! >= 50 && delays[0]! <= 100, `first retry after ~100 ms (${delays[0]})`);
    t.ok(delays.at(-1)! > delays[0]! * 4, `backoff grows: ${delays.join(', ')} ms`);
    t.ok(metrics.failures.every((k) => k === 'network'), 'counted as network failures');

    // stop() in the middle of a backoff sleep returns at once and keeps the batch.
    const stopStarted = performance.now();
    await writer.stop();
    const stopMs = performance.now() - stopStarted;
    t.ok(stopMs < 100, `stop() during backoff took ${stopMs.toFixed(1)} ms`);
    t.equal(outbox.removed.length, 0);

    writer.start();
    await sleep(300);
    const back = await backend.start({ ...restart, removeDataDirOnStop: true });
    t.teardown(() => back.stop());
    t.equal(back.port, outage.port, 'same port');
    await waitFor('outbox drained after the outage', () => outbox.empty, 40_000);
    t.equal(await backend.count(back, target, m, 'v', 500), 500, 'all 500 points stored');
    t.equal(writer.status().healthy, true);
    t.ok(logs.some((e) => e.msg === 'InfluxDB writes recovered'), 'recovery logged');
  });
}

t.test(influxV1.name, (t) => {
  writerSuite(t, influxV1);

  t.test('v1: a missing database is created (once) and the batch lands', async (t) => {
    const server = await startInfluxd();
    t.teardown(() => server.stop());
    const database = unique('missing');
    const { writer, outbox, logs, deadLetters } = rig(t, { api: 'v1', url: server.url, database });
    const m = unique('created');
    outbox.append(points(m, 10));
    writer.start();
    await waitFor('batch written', () => outbox.empty);
    t.equal(await influxCount(server.url, database, m, 'v'), 10);
    t.ok(logs.some((e) => e.msg === 'InfluxDB database was missing; created it'));
    t.equal(deadLetters.letters.length, 0, '404 is not a bad line');
    const databases = await influxQuery(server.url, database, 'SHOW DATABASES');
    t.ok(JSON.stringify(databases).includes(database));
  });

  t.end();
});

t.test(victoriaMetricsV2.name, (t) => {
  writerSuite(t, victoriaMetricsV2);
  t.end();
});

// ---------------------------------------------------------------------------------------------
// Status codes from a stub (behaviour only: no storage behind it)

interface StubRequest {
  at: number;
  path: string;
  lines: string[];
  headers: IncomingMessage['headers'];
}

async function stubServer(
  t: Test,
  respond: (req: StubRequest, res: ServerResponse, index: number) => void,
): Promise<{ url: string; requests: StubRequest[]; server: Server }> {
  const requests: StubRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const entry = { at: performance.now(), path: req.url ?? '', lines: body === '' ? [] : body.split('\n'), headers: req.headers };
      requests.push(entry);
      respond(entry, res, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}, body = ''): void {
  res.writeHead(status, { ...(body ? { 'content-type': 'application/json' } : {}), ...headers });
  res.end(body);
}

t.test('status codes (stub server)', async (t) => {
  t.test('429 and 503 with Retry-After: waits as told, then writes the same batch', async (t) => {
    const stub = await stubServer(t, (_req, res, i) => {
      if (i === 0) return answer(res, 429, { 'retry-after': '1' }, '{"code":"too many requests","message":"slow down"}');
      if (i === 1) return answer(res, 503, { 'retry-after': '1' }, '{"error":"overloaded"}');
      answer(res, 204);
    });
    const { writer, outbox, metrics, deadLetters } = rig(t, { api: 'v2', url: stub.url, org: 'o', bucket: 'b', token: 'secret-token' });
    outbox.append(['m v=1 1', 'm v=2 2']);
    writer.start();
    await waitFor('written after throttling', () => outbox.empty, 10_000);
    t.equal(stub.requests.length, 3);
    const [a, b, c] = stub.requests;
    t.ok(b!.at - a!.at >= 950, `waited ${Math.round(b!.at - a!.at)} ms after 429`);
    t.ok(c!.at - b!.at >= 950, `waited ${Math.round(c!.at - b!.at)} ms after 503`);
    t.same(c!.lines, ['m v=1 1', 'm v=2 2'], 'the same batch');
    t.same(metrics.failures, ['throttled', 'throttled']);
    t.equal(deadLetters.letters.length, 0);
    t.equal(a!.path, '/api/v2/write?org=o&bucket=b&precision=ns');
    t.equal(a!.headers.authorization, 'Token secret-token');
    t.match(a!.headers['content-type'], /^text\/plain/);
  });

  t.test('401/403/404 are not bad lines: retried and logged as errors, never dead-lettered', async (t) => {
    let refuse = true;
    const stub = await stubServer(t, (_req, res, i) => {
      if (refuse) return answer(res, [401, 403, 404][i % 3]!, {}, '{"error":"authorization failed"}');
      answer(res, 204);
    });
    const { writer, outbox, logs, deadLetters, metrics } = rig(t, {
      api: 'v1', url: stub.url, database: 'village', retentionPolicy: 'autogen', username: 'gw', password: 'pw',
    });
    outbox.append(['m v=1 1']);
    writer.start();
    // Wait for the writer's reaction to the third refusal, not just for the stub to have answered it.
    const refusalsLogged = () => logs.filter((e) => e.level === 50 && /refuses us/.test(e.msg)).length;
    await waitFor('three refusals handled', () => refusalsLogged() >= 3 && metrics.failures.length >= 3, 5_000);
    t.equal(outbox.removed.length, 0);
    t.equal(deadLetters.letters.length, 0);
    t.ok(refusalsLogged() >= 3, 'logged at error level');
    t.same(metrics.failures.slice(0, 3), ['server', 'server', 'server']);
    refuse = false;
    await waitFor('written once allowed', () => outbox.empty, 10_000);
    const first = stub.requests[0]!;
    t.equal(first.path, '/write?db=village&precision=ns&rp=autogen');
    t.equal(first.headers.authorization, `Basic ${Buffer.from('gw:pw').toString('base64')}`, 'credentials in a header, not the URL');
  });

  t.test('400: bisects down to the refused lines; accepted halves are written', async (t) => {
    const stub = await stubServer(t, (req, res) => {
      const bad = req.lines.find((l) => l.includes('bad'));
      if (bad) return answer(res, 400, {}, JSON.stringify({ error: `unable to parse '${bad}': invalid field format` }));
      answer(res, 204);
    });
    const { writer, outbox, deadLetters, metrics } = rig(t, { api: 'v1', url: stub.url, database: 'village' });
    const lines = Array.from({ length: 16 }, (_, i) => (i === 3 || i === 12 ? `bad line ${i}` : `m v=${i} ${i}`));
    outbox.append(lines);
    writer.start();
    await waitFor('batch settled', () => outbox.empty);
    t.same(deadLetters.letters.map((l) => l.payloadPreview), ['bad line 3', 'bad line 12'], 'refused lines, in order');
    t.match(deadLetters.letters[0], { stage: 'influx', reason: 'influx_rejected', detail: "unable to parse 'bad line 3': invalid field format" });
    const written = new Set(stub.requests.filter((r) => !r.lines.some((l) => l.includes('bad'))).flatMap((r) => r.lines));
    t.equal(written.size, 14, 'every good line was written');
    t.equal(metrics.linesWritten, 14);
    t.equal(metrics.deadLettered, 2);
    t.ok(stub.requests.length <= 2 * 2 * Math.log2(16) + 1, `${stub.requests.length} requests`);
  });

  t.test('stop() during a hung request: grace period, then abort; the batch stays', async (t) => {
    const stub = await stubServer(t, () => {
      // Never answers.
    });
    const { writer, outbox } = rig(t, { api: 'v1', url: stub.url, database: 'village' }, { stopGraceMs: 200 });
    outbox.append(['m v=1 1']);
    writer.start();
    await waitFor('request in flight', () => stub.requests.length === 1);
    const started = performance.now();
    await writer.stop();
    const took = performance.now() - started;
    t.ok(took >= 190 && took < 600, `stop() took ${took.toFixed(0)} ms`);
    t.equal(outbox.removed.length, 0, 'not removed: it may be re-sent, never lost');
    t.equal(writer.status().state, 'stopped');
  });

  t.test('a request that hangs past the deadline is retried', async (t) => {
    const stub = await stubServer(t, (_req, res, i) => {
      if (i > 0) answer(res, 204);
    });
    const { writer, outbox, metrics } = rig(t, { api: 'v1', url: stub.url, database: 'village' }, { http: { requestTimeoutMs: 300 } });
    outbox.append(['m v=1 1']);
    writer.start();
    await waitFor('written on the retry', () => outbox.empty, 5_000);
    t.same(metrics.failures, ['network']);
    t.match(writer.status(), { healthy: true, lastError: /within 300 ms/ });
  });

  t.test('ping: true when /ping answers, false when nothing listens', async (t) => {
    const stub = await stubServer(t, (req, res) => answer(res, req.path === '/ping' ? 204 : 404));
    const up = rig(t, { api: 'v2', url: stub.url, org: 'o', bucket: 'b' });
    t.equal(await up.writer.ping(), true);
    const down = rig(t, { api: 'v1', url: `http://127.0.0.1:${await freeLoopbackPort()}`, database: 'x' });
    t.equal(await down.writer.ping(), false);
  });
});
