import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchConnections } from './connections.js';
import { benchDispatch } from './dispatch.js';
import { benchIngest } from './ingest.js';
import { benchMosquitto } from './mosquitto-baseline.js';
import { printTable, recordResults } from './report.js';
import { withCpuWatch } from './support/cpu-watch.js';

/**
 * npm run bench — every benchmark in turn (ingest, connections, dispatch,
 * mosquitto baseline), each recorded in bench/results.json as it finishes,
 * then one summary table. BENCH_ONLY=connections,dispatch runs a subset; the
 * summary then takes the others from results.json (with their date).
 * A benchmark that fails is reported and the rest still run.
 */
type Result = Record<string, unknown>;

const BENCHMARKS: [string, () => Promise<Result>][] = [
  ['ingest', benchIngest],
  ['connections', () => benchConnections()],
  ['dispatch', () => benchDispatch()],
  ['mosquitto', () => benchMosquitto()],
];

const SUMMARY: [string, string, string][] = [
  ['ingest', 'sustainedAckedPerSecond', 'ingest: sustained QoS 1 msg/s (durable, zero loss)'],
  ['ingest', 'p99PubackMs', 'ingest: p99 PUBACK ms at 10,000 msg/s'],
  ['mosquitto', 'sustainedAckedPerSecond', 'mosquitto: sustained QoS 1 msg/s (same load generator)'],
  ['mosquitto', 'p99PubackMs', 'mosquitto: p99 PUBACK ms at 10,000 msg/s'],
  ['connections', 'connectionsHeld', 'connections held by one gateway'],
  ['connections', 'ceilingConnections', 'connection ceiling (open-file limit 20,000)'],
  ['connections', 'rssPer1000ConnectionsMiB', 'gateway RSS MiB per 1,000 connections'],
  ['connections', 'connectPerSecondScrypt1024', 'connects/s (scrypt N=1024)'],
  ['connections', 'connectPerSecondDefaultCost', 'connects/s (default scrypt cost)'],
  ['connections', 'qos1AtN', 'QoS 1 publish with all connections held'],
  ['dispatch', 'alarmToOrderP50Ms', 'alarm → dispatch order p50 ms (under load)'],
  ['dispatch', 'alarmToOrderP99Ms', 'alarm → dispatch order p99 ms (under load)'],
  ['dispatch', 'backgroundAckedPerSecond', 'background traffic during the alarms, msg/s'],
  ['dispatch', 'computeDispatchP99Ms', 'one dispatch decision p99 ms (~50k segments, 50 teams)'],
  ['dispatch', 'computeCoverageP50Ms', 'coverage recompute p50 ms (~50k segments, 50 teams)'],
];

function readResults(): Record<string, Result> {
  const file = fileURLToPath(new URL('./results.json', import.meta.url));
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Result>) : {};
}

export async function runAll(only?: string[]): Promise<boolean> {
  const ranNow = new Set<string>();
  let ok = true;
  for (const [name, bench] of BENCHMARKS) {
    if (only && !only.includes(name)) continue;
    console.log(`\n=== ${name} ===`);
    try {
      const result = await withCpuWatch(bench);
      printTable(name, result);
      recordResults(name, result);
      ranNow.add(name);
    } catch (err) {
      ok = false;
      console.error(`${name} failed: ${(err as Error).stack ?? String(err)}`);
    }
  }
  const results = readResults();
  const rows: Record<string, string> = {};
  for (const [bench, key, label] of SUMMARY) {
    const value = results[bench]?.[key];
    const when = ranNow.has(bench) ? '' : ` (results.json, ${String(results[bench]?.measuredAt ?? 'never measured')})`;
    rows[label] = value === undefined ? 'n/a' : `${String(value)}${when}`;
  }
  const ingestRate = Number(results.ingest?.sustainedAckedPerSecond);
  const mosquittoRate = Number(results.mosquitto?.sustainedAckedPerSecond);
  rows['ingest rate / mosquitto rate'] = ingestRate > 0 && mosquittoRate > 0 ? (ingestRate / mosquittoRate).toFixed(2) : 'n/a';
  printTable('summary', rows);
  return ok;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  const ok = await runAll(only);
  process.exit(ok ? 0 : 1);
}
