/**
 * Read-back helpers for tests against the real servers started by src/tools/local-servers.ts.
 * Plain fetch, so a bug in the writer's HTTP layer cannot hide itself in its own tests.
 */

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

interface InfluxQueryResponse {
  error?: string;
  results?: { statement_id: number; error?: string; series?: InfluxSeries[] }[];
}

/** Runs one InfluxQL statement (GET /query, epoch=ns) and returns its series; throws on any error. */
export async function influxQuery(url: string, db: string, influxql: string): Promise<InfluxSeries[]> {
  const params = new URLSearchParams({ db, q: influxql, epoch: 'ns' });
  const res = await fetch(`${url}/query?${params}`);
  return seriesOf(res, influxql);
}

/** `CREATE DATABASE` (idempotent in InfluxDB 1.x); it must be a POST. */
export async function createDatabase(url: string, db: string): Promise<void> {
  const q = `CREATE DATABASE "${db.replace(/["\\]/g, '\\$&')}"`;
  const res = await fetch(`${url}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q }),
  });
  await seriesOf(res, q);
}

/** Number of points of `measurement` that have `field`. */
export async function influxCount(url: string, db: string, measurement: string, field: string): Promise<number> {
  const series = await influxQuery(url, db, `SELECT count("${field}") FROM "${measurement}"`);
  const value = series[0]?.values[0]?.[1];
  return typeof value === 'number' ? value : 0;
}

async function seriesOf(res: Response, statement: string): Promise<InfluxSeries[]> {
  const text = await res.text();
  let body: InfluxQueryResponse;
  try {
    body = JSON.parse(text) as InfluxQueryResponse;
  } catch {
    throw new Error(`InfluxQL ${statement}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  }
  const error = body.error ?? body.results?.find((r) => r.error)?.error;
  if (!res.ok || error) throw new Error(`InfluxQL ${statement}: HTTP ${res.status}: ${error ?? text.slice(0, 300)}`);
  return body.results?.[0]?.series ?? [];
}

export interface VmSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/**
 * Flushes VictoriaMetrics' in-memory buffers: without it fresh samples stay invisible to
 * export and queries for ~1-10 s (measured on VM 1.79); with it, for ~0.4-1 s.
 */
export async function vmFlush(url: string): Promise<void> {
  const res = await fetch(`${url}/internal/force_flush`);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`VM force_flush: HTTP ${res.status}`);
}

/**
 * Raw samples of the series matching `match` (a series selector such as
 * `{__name__="temp_value",site="a"}`; VM names influx series `{measurement}_{field}`).
 */
export async function vmExport(url: string, match: string): Promise<VmSeries[]> {
  await vmFlush(url);
  const params = new URLSearchParams({ 'match[]': match });
  const res = await fetch(`${url}/api/v1/export?${params}`);
  const text = await res.text();
  if (!res.ok) throw new Error(`VM export ${match}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as VmSeries);
}

/** Number of samples of the series matching `match`. */
export async function vmSampleCount(url: string, match: string): Promise<number> {
  const series = await vmExport(url, match);
  return series.reduce((sum, s) => sum + s.values.length, 0);
}

/** Polls `probe` until `accept` holds for its value (or the timeout), and returns the last value. */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  { timeoutMs = 15_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
