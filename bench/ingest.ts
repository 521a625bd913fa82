import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelsForKind } from '../devices/index.js';
import { modelId, type DeviceKind, type ValidExample } from '../devices/model.js';
import type { LoadCommand, LoadDevice, LoadReport } from '../simulators/load-generator.js';
import { gatewayMetric, spawnGateway, loopbackGatewayEnv } from '../src/tools/gateway-process.js';
import { startInfluxd } from '../src/tools/local-servers.js';
import { percentile, recordResults, printTable } from './report.js';

/**
 * npm run bench:ingest — 50 concurrent QoS 1 publishers of realistic mixed
 * payloads against the gateway (child process) with a real InfluxDB 1.x, all
 * on this machine:
 *   1. publish → PUBACK latency at a fixed 10,000 msg/s;
 *   2. load rising until it no longer holds;
 *   3. the best rate sustained for 60 s, then every acknowledged message
 *      counted in InfluxDB (zero loss).
 * Prints numbers; asserts nothing about speed.
 */

export const MIX: [DeviceKind, number][] = [
  ['camera', 10],
  ['lock', 15],
  ['ebike-station', 5],
  ['fire', 15],
  ['team', 5],
];
const GENERATORS = 2;
const SUSTAIN_MS = Number(process.env.BENCH_SUSTAIN_MS ?? 60_000);
const STEP_MS = Number(process.env.BENCH_STEP_MS ?? 10_000);
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

export function templatesFor(kind: DeviceKind): { modelId: string; payloads: string[]; channelTopic: 'event' | 'status'; measurements: string[] } {
  const model = modelsForKind(kind)[0]!;
  const examples = model.examples.filter(
    (e): e is ValidExample => 'expect' in e && e.channel === 'event' && typeof e.payload === 'object' && e.payload !== null,
  );
  return {
    modelId: modelId(model),
    channelTopic: 'event',
    measurements: [...new Set(examples.flatMap((e) => e.expect.data.map((r) => r.measurement)))],
    // Every device time becomes "now" (examples carry fixed dates that would be refused as too old).
    payloads: examples.map((e) => JSON.stringify({ ...(e.payload as object), ts: '__TS__', id: '__ID__' }, (key, value: unknown) => (key === 'ts' ? '__TS__' : value))),
  };
}

export class Generator {
  private readonly child: ChildProcess;
  private waiting?: (report: LoadReport) => void;

  constructor() {
    this.child = fork(fileURLToPath(new URL('../simulators/load-generator.ts', import.meta.url)), { execArgv: ['--import', 'tsx'] });
    this.child.on('message', (report: LoadReport) => this.waiting?.(report));
  }

  request(command: LoadCommand): Promise<LoadReport> {
    return new Promise((resolve, reject) => {
      this.waiting = (report) => (report.op === 'failed' ? reject(new Error(report.message)) : resolve(report));
      this.child.send(command);
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Ends the child if it is still running (after a failed run; `close` ends it normally). */
  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

export interface CpuSample {
  cpuSeconds: number;
  at: number;
}
export function cpuOf(pid: number): CpuSample {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { cpuSeconds: ticks / 100, at: performance.now() };
}
export function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

export async function runAll(generators: Generator[], rate: number, durationMs: number, idPrefix: string) {
  const reports = await Promise.all(
    generators.map((g) =>
      g.request({ op: 'run', ratePerSecond: rate / generators.length, durationMs, idPrefix, maxInFlightPerDevice: 50, latencySampleEvery: 10 }),
    ),
  );
  const acked = reports.reduce((n, r) => n + (r.acked ?? 0), 0);
  const sent = reports.reduce((n, r) => n + (r.sent ?? 0), 0);
  const failed = reports.reduce((n, r) => n + (r.failed ?? 0), 0);
  const latencies = reports.flatMap((r) => r.latenciesMs ?? []).sort((a, b) => a - b);
  const elapsed = Math.max(...reports.map((r) => r.elapsedMs ?? durationMs));
  return { sent, acked, failed, ackedPerSecond: acked / (elapsed / 1000), p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

async function countInInflux(url: string, measurements: string[], prefix: string): Promise<number> {
  let total = 0;
  for (const measurement of measurements) {
    const q = `SELECT count(distinct("msg_id")) FROM "${measurement}" WHERE "msg_id" =~ /^${prefix}/`;
    const response = await fetch(`${url}/query?db=village&q=${encodeURIComponent(q)}`);
    const body = (await response.json()) as { results: { series?: { values: [string, number][] }[]; error?: string }[] };
    if (body.results[0]?.error) throw new Error(body.results[0].error);
    total += body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
  }
  return total;
}

const rejectedTotal = async (httpPort: number) => (await gatewayMetric(httpPort, 'gateway_messages_rejected_total')) || 0;
const outboxDepth = (httpPort: number) => gatewayMetric(httpPort, 'gateway_outbox_depth_messages');

export async function benchIngest(): Promise<Record<string, number | string>> {
  const influx = await startInfluxd();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const gateway = await spawnGateway({
    ...(await loopbackGatewayEnv({ adminToken: ADMIN_TOKEN, siteSecret: 'bench-site-secret-0123456789abcdef0123456789', dataDir, influxUrl: influx.url })),
    LOG_LEVEL: 'warn',
    // The bench devices are 50 firehoses standing in for thousands of real devices.
    RATE_LIMITS: JSON.stringify(Object.fromEntries(MIX.map(([kind]) => [kind, { ratePerSecond: 100_000, burst: 100_000 }]))),
  }, 30_000, process.env.BENCH_GATEWAY_NODE_ARGS ? process.env.BENCH_GATEWAY_NODE_ARGS.split(' ') : []);
  const pid = gateway.child.pid!;
  try {
    const devices: LoadDevice[] = [];
    const secrets: Record<string, string> = {};
    const measurements = new Set<string>();
    for (const [kind, count] of MIX) {
      const templates = templatesFor(kind);
      templates.measurements.forEach((m) => measurements.add(m));
      for (let i = 0; i < count; i++) {
        const id = `bench-${kind}-${i}`;
        const response = await fetch(`http://127.0.0.1:${gateway.httpPort}/api/devices`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ id, site: 'bench', kind, model: templates.modelId }),
        });
        if (response.status !== 201) throw new Error(`register ${id}: ${response.status} ${await response.text()}`);
        secrets[id] = ((await response.json()) as { secret: string }).secret;
        devices.push({ id, topic: `v1/bench/${kind}/${id}/event`, payloads: templates.payloads });
      }
    }
    const generators = Array.from({ length: GENERATORS }, () => new Generator());
    await Promise.all(
      generators.map((g, i) =>
        g.request({ op: 'connect', url: `mqtt://127.0.0.1:${gateway.mqttPort}`, devices: devices.filter((_, j) => j % GENERATORS === i), secrets }),
      ),
    );
    console.log(`50 publishers connected (${devices.length} devices, ${GENERATORS} load-generator processes)`);

    await runAll(generators, 5000, 3000, 'warm-');
    const fixed = await runAll(generators, 10_000, 15_000, 'lat-');
    console.log(`fixed 10,000 msg/s: acked ${fixed.ackedPerSecond.toFixed(0)}/s p50 ${fixed.p50.toFixed(2)} ms p99 ${fixed.p99.toFixed(2)} ms`);

    let best = 10_000;
    for (const rate of [15_000, 20_000, 25_000, 30_000, 32_500, 35_000, 40_000, 50_000, 60_000]) {
      const step = await runAll(generators, rate, STEP_MS, `ramp${rate}-`);
      const holds = step.ackedPerSecond >= rate * 0.97 && step.failed === 0;
      console.log(`ramp ${rate} msg/s: acked ${step.ackedPerSecond.toFixed(0)}/s p99 ${step.p99.toFixed(1)} ms ${holds ? 'holds' : 'does not hold'}`);
      if (!holds) break;
      best = rate;
    }

    const depthBefore = await outboxDepth(gateway.httpPort);
    const cpuStart = cpuOf(pid);
    let peakRss = 0;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(pid))), 1000);
    const sustain = await runAll(generators, best, SUSTAIN_MS, 'sustain-');
    clearInterval(rssTimer);
    const cpuEnd = cpuOf(pid);
    const cpuPercent = ((cpuEnd.cpuSeconds - cpuStart.cpuSeconds) / ((cpuEnd.at - cpuStart.at) / 1000)) * 100;
    const depthAfter = await outboxDepth(gateway.httpPort);
    console.log(`sustained ${best} msg/s for ${SUSTAIN_MS / 1000} s: acked ${sustain.acked}; outbox ${depthBefore} → ${depthAfter}; waiting for InfluxDB to catch up…`);
    const drainStarted = Date.now();
    while ((await outboxDepth(gateway.httpPort)) > 0 && Date.now() - drainStarted < 300_000) await new Promise((r) => setTimeout(r, 500));
    const landed = await countInInflux(influx.url, [...measurements], 'sustain-');
    const rejected = await rejectedTotal(gateway.httpPort);
    const result = {
      publishers: devices.length,
      fixedRate: 10_000,
      fixedRateAckedPerSecond: Math.round(fixed.ackedPerSecond),
      p50PubackMs: Number(fixed.p50.toFixed(2)),
      p99PubackMs: Number(fixed.p99.toFixed(2)),
      sustainedRate: best,
      sustainedAckedPerSecond: Math.round(sustain.ackedPerSecond),
      sent: sustain.sent,
      sustainedP99PubackMs: Number(sustain.p99.toFixed(2)),
      sustainSeconds: SUSTAIN_MS / 1000,
      acknowledged: sustain.acked,
      landedInInflux: landed,
      rejectedDuringRun: rejected,
      lost: Math.max(0, sustain.acked - landed),
      gatewayCpuPercent: Math.round(cpuPercent),
      gatewayPeakRssMiB: Math.round(peakRss),
      drainSecondsAfterLoad: Math.round((Date.now() - drainStarted) / 1000),
    };
    await Promise.all(generators.map((g) => g.request({ op: 'close' }).catch(() => undefined)));
    return result;
  } finally {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    await influx.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await benchIngest();
  printTable('ingest', result);
  recordResults('ingest', result);
  process.exit(0);
}
