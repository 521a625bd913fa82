import { fileURLToPath } from 'node:url';
import type { LoadDevice } from '../simulators/load-generator.js';
import { cpuOf, Generator, MIX, runAll, templatesFor, type CpuSample } from './ingest.js';
import { printTable, recordResults } from './report.js';
import { withCpuWatch } from './support/cpu-watch.js';
import { load1, round } from './support/machine.js';
import { startMosquitto } from './support/mosquitto.js';

/**
 * The yardstick for the ingest benchmark: the same 50 publishers, payloads
 * and load generator (simulators/load-generator.ts, two forked processes)
 * against a plain C broker, Debian's mosquitto, on the same machine. It only
 * acknowledges (no decoding, no disk, no InfluxDB), so it shows what the
 * machine and the load generator can do at all; ingest rate / mosquitto rate
 * is how much of that the gateway keeps. Prints numbers, asserts nothing.
 */
export interface MosquittoOptions {
  stepMs?: number;
  sustainMs?: number;
  rates?: number[];
}

const GENERATORS = 2;
const DEFAULT_RATES = [15_000, 20_000, 25_000, 30_000, 35_000, 40_000, 50_000, 60_000, 70_000, 80_000, 100_000, 125_000, 150_000];

const cpuPercent = (from: CpuSample, to: CpuSample) => Math.round(((to.cpuSeconds - from.cpuSeconds) / ((to.at - from.at) / 1000)) * 100);

export async function benchMosquitto(options: MosquittoOptions = {}): Promise<Record<string, number | string>> {
  const stepMs = options.stepMs ?? Number(process.env.BENCH_STEP_MS ?? 10_000);
  const sustainMs = options.sustainMs ?? Math.min(30_000, Number(process.env.BENCH_SUSTAIN_MS ?? 30_000));
  const load1AtStart = load1();
  const broker = await startMosquitto();
  const generators = Array.from({ length: GENERATORS }, () => new Generator());
  try {
    const devices: LoadDevice[] = [];
    const secrets: Record<string, string> = {};
    for (const [kind, count] of MIX) {
      const { payloads } = templatesFor(kind);
      for (let i = 0; i < count; i++) {
        const id = `bench-${kind}-${i}`;
        secrets[id] = 'ignored-by-allow-anonymous';
        devices.push({ id, topic: `v1/bench/${kind}/${id}/event`, payloads });
      }
    }
    const url = `mqtt://127.0.0.1:${broker.port}`;
    await Promise.all(generators.map((g, i) => g.request({ op: 'connect', url, devices: devices.filter((_, j) => j % GENERATORS === i), secrets })));
    console.log(`mosquitto on 127.0.0.1:${broker.port}: ${devices.length} publishers connected (${GENERATORS} load-generator processes)`);

    await runAll(generators, 5000, 3000, 'warm-');
    const fixed = await runAll(generators, 10_000, 15_000, 'lat-');
    console.log(`fixed 10,000 msg/s: acked ${fixed.ackedPerSecond.toFixed(0)}/s p50 ${fixed.p50.toFixed(2)} ms p99 ${fixed.p99.toFixed(2)} ms`);

    let best = 10_000;
    let limit = 'not reached';
    for (const rate of options.rates ?? DEFAULT_RATES) {
      const before = [cpuOf(broker.pid), ...generators.map((g) => cpuOf(g.pid))];
      const step = await runAll(generators, rate, stepMs, `ramp${rate}-`);
      const after = [cpuOf(broker.pid), ...generators.map((g) => cpuOf(g.pid))];
      const [brokerCpu, ...generatorCpu] = before.map((b, i) => cpuPercent(b, after[i]!));
      const holds = step.ackedPerSecond >= rate * 0.97 && step.failed === 0;
      const cpu = `mosquitto ${brokerCpu}% CPU, generators ${generatorCpu.join('% + ')}%`;
      console.log(`ramp ${rate} msg/s: acked ${step.ackedPerSecond.toFixed(0)}/s p99 ${step.p99.toFixed(1)} ms; ${cpu}; ${holds ? 'holds' : 'does not hold'}`);
      if (!holds) {
        limit = `at ${rate} msg/s: acked ${step.ackedPerSecond.toFixed(0)}/s, ${cpu}`;
        break;
      }
      best = rate;
    }

    const before = cpuOf(broker.pid);
    const sustain = await runAll(generators, best, sustainMs, 'sustain-');
    const brokerCpu = cpuPercent(before, cpuOf(broker.pid));
    console.log(`sustained ${best} msg/s for ${sustainMs / 1000} s: acked ${sustain.ackedPerSecond.toFixed(0)}/s p99 ${sustain.p99.toFixed(1)} ms, mosquitto ${brokerCpu}% CPU`);
    await Promise.all(generators.map((g) => g.request({ op: 'close' }).catch(() => undefined)));
    return {
      broker: 'mosquitto 2 (Debian), no persistence, set_tcp_nodelay',
      publishers: devices.length,
      fixedRate: 10_000,
      fixedRateAckedPerSecond: Math.round(fixed.ackedPerSecond),
      p50PubackMs: round(fixed.p50),
      p99PubackMs: round(fixed.p99),
      sustainedRate: best,
      sustainedAckedPerSecond: Math.round(sustain.ackedPerSecond),
      sustainedP99PubackMs: round(sustain.p99),
      sustainSeconds: sustainMs / 1000,
      sustainedMosquittoCpuPercent: brokerCpu,
      firstStepNotHeld: limit,
      load1AtStart,
    };
  } finally {
    generators.forEach((g) => g.stop());
    await broker.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await withCpuWatch(() => benchMosquitto());
  printTable('mosquitto baseline', result);
  recordResults('mosquitto', result);
  process.exit(0);
}
