import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import type { DeviceKind } from '../devices/model.js';
import type { LoadDevice } from '../simulators/load-generator.js';
import { gatewayMetric, spawnGateway, type GatewayProcess, loopbackGatewayEnv } from '../src/tools/gateway-process.js';
import { startInfluxd } from '../src/tools/local-servers.js';
import { benchDispatchCompute } from './dispatch-compute.js';
import { cpuOf, Generator, runAll } from './ingest.js';
import { percentile, printTable, recordResults } from './report.js';
import { withCpuWatch } from './support/cpu-watch.js';
import { AdminApi, mapBounded } from './support/admin-http.js';
import { load1, round, sleep, waitUntil } from './support/machine.js';
import { writeBenchSite } from './support/site.js';
import { backgroundTraffic, type BackgroundMix } from './support/traffic.js';

/**
 * npm run bench:dispatch — fire alarm published → dispatch order delivered
 * on the team tracker's `cmd` topic, end to end through the gateway (child
 * process, real InfluxDB), while the load generator keeps ~10,000 msg/s of
 * other device traffic flowing (support/traffic.ts: `routine` by default,
 * BENCH_DISPATCH_MIX=ingest for the incident-heavy ingest mix). Each alarm
 * comes from its own detector at its own place of a generated village; once
 * the order is in, the incident is resolved over HTTP so its team is free
 * for the next. Then the pure compute cost (bench/dispatch-compute.ts) on a
 * ~50,000-segment network with 50 teams, and a coverage recompute.
 * Prints numbers; asserts nothing.
 */
export interface DispatchOptions {
  alarms?: number;
  teams?: number;
  /** Grid side of the generated village (80 m spacing). */
  side?: number;
  backgroundRate?: number;
  /** Time between one alarm's resolve and the next alarm. */
  gapMs?: number;
  /** Background traffic: see support/traffic.ts (default `routine`, or BENCH_DISPATCH_MIX). */
  background?: BackgroundMix;
  /** Skip the ~50,000-segment compute benchmark (for quick runs). */
  skipCompute?: boolean;
}

const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const SITE = 'bench';
const ORDER_TIMEOUT_MS = 10_000;
interface Order {
  receivedAt: number;
  incidentId: number;
  etaSeconds: number;
}

export async function benchDispatch(options: DispatchOptions = {}): Promise<Record<string, number | string>> {
  const alarms = options.alarms ?? 200;
  const teamCount = options.teams ?? 12;
  const backgroundRate = options.backgroundRate ?? 10_000;
  const gapMs = options.gapMs ?? 150;
  const mix = options.background ?? (process.env.BENCH_DISPATCH_MIX === 'ingest' ? 'ingest' : 'routine');
  const traffic = backgroundTraffic(mix);
  const load1AtStart = load1();
  const siteDir = mkdtempSync(join(tmpdir(), 'bench-dispatch-site-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-dispatch-'));
  const site = writeBenchSite(siteDir, { seed: 7, side: options.side ?? 25, places: alarms, teams: teamCount });
  const influx = await startInfluxd();
  let gateway: GatewayProcess | undefined;
  const clients: mqtt.MqttClient[] = [];
  const generators = [new Generator(), new Generator()];
  try {
    gateway = await spawnGateway({
      ...(await loopbackGatewayEnv({ adminToken: ADMIN_TOKEN, siteSecret: 'bench-site-secret-0123456789abcdef0123456789', dataDir, influxUrl: influx.url })),
      SITE_DIR: siteDir,
      LOG_LEVEL: 'error',
      // Connect-time scrypt is measured by bench/connections.ts; here it would only slow the set-up.
      SCRYPT_COST: '1024',
      // Trackers stand still for the whole run and report their position once.
      TEAM_STALE_AFTER_MS: '3600000',
      // The background devices are 50 firehoses standing in for thousands of real devices.
      RATE_LIMITS: JSON.stringify(Object.fromEntries(traffic.map(({ kind }) => [kind, { ratePerSecond: 100_000, burst: 100_000 }]))),
    });
    const { mqttPort, httpPort } = gateway;
    const url = `mqtt://127.0.0.1:${mqttPort}`;
    const api = new AdminApi(httpPort, ADMIN_TOKEN);
    type Credentials = { device: { id: string }; secret: string };
    const register = async (id: string, kind: DeviceKind, model: string, at: { lon: number; lat: number }) =>
      (await api.must('POST', '/api/devices', { id, site: SITE, kind, model, lon: at.lon, lat: at.lat }, 201)) as Credentials;
    const connect = async (c: Credentials) => {
      const client = await mqtt.connectAsync(url, { clientId: c.device.id, username: c.device.id, password: c.secret, reconnectPeriod: 0, connectTimeout: 15_000 });
      clients.push(client);
      return client;
    };

    // Teams: a tracker each, subscribed to its cmd topic; every dispatch order is noted by place.
    const orders = new Map<string, Order>();
    const waiters = new Map<string, (order: Order) => void>();
    await mapBounded(site.teams, 4, async (at, k) => {
      const tracker = await register(`trk-${k}`, 'team', 'patrolink/t1', at);
      await api.must('POST', '/api/teams', { id: `team-${k}`, name: `Team ${k}`, trackerDeviceId: tracker.device.id }, 201);
      const client = await connect(tracker);
      await client.subscribeAsync(`v1/${SITE}/team/${tracker.device.id}/cmd`, { qos: 1 });
      client.on('message', (_topic, payload) => {
        const message = JSON.parse(payload.toString()) as { type: string; incident?: { id: number; place: string | null }; etaSeconds?: number };
        const place = message.incident?.place;
        if (message.type !== 'dispatch' || !place || orders.has(place)) return;
        const order = { receivedAt: performance.now(), incidentId: message.incident!.id, etaSeconds: message.etaSeconds ?? Number.NaN };
        orders.set(place, order);
        waiters.get(place)?.(order);
      });
      const event = `v1/${SITE}/team/${tracker.device.id}/event`;
      await client.publishAsync(event, JSON.stringify({ event: 'position', lat: at.lat, lon: at.lon, speed_kmh: 0 }), { qos: 1 });
      await client.publishAsync(event, JSON.stringify({ event: 'status', status: 'available' }), { qos: 1 });
    });
    await waitUntil(
      'every team available with a position',
      async () => {
        const { teams } = (await api.must('GET', '/api/teams', undefined, 200)) as { teams: { lon: number | null; status: string }[] };
        return teams.length === teamCount && teams.every((t) => t.lon !== null && t.status === 'available') ? true : undefined;
      },
      30_000,
      250,
    );

    // One detector per place, registered right at it.
    const detectors = await mapBounded(site.places, 4, async (place, i) => ({ place, client: await connect(await register(`fd-${i}`, 'fire', 'emberline/d10', place)), id: `fd-${i}` }));
    console.log(`${teamCount} teams and ${detectors.length} detectors ready on a ${site.roadFeatures}-road village`);

    const devices: LoadDevice[] = [];
    const secrets: Record<string, string> = {};
    for (const [i, device] of traffic.entries()) {
      const id = `bg-${device.kind}-${i}`;
      secrets[id] = (await register(id, device.kind, device.modelId, site.places[0]!)).secret;
      devices.push({ id, topic: `v1/${SITE}/${device.kind}/${id}/${device.channel}`, payloads: device.payloads });
    }
    await Promise.all(generators.map((g, i) => g.request({ op: 'connect', url, devices: devices.filter((_, j) => j % generators.length === i), secrets })));

    const rejectedBefore = (await gatewayMetric(httpPort, 'gateway_messages_rejected_total')) || 0;
    const warmupMs = 5000;
    const budgetMs = warmupMs + alarms * (gapMs + 250) + 20_000;
    const background = runAll(generators, backgroundRate, budgetMs, 'bg-');
    await sleep(warmupMs);
    console.log(`${backgroundRate} msg/s of background traffic flowing; ${alarms} alarms, one at a time…`);
    const cpuStart = cpuOf(gateway.child.pid!);
    const deadline = performance.now() + budgetMs - warmupMs - 5000;
    const latencies: number[] = [];
    const pubacks: number[] = [];
    const etas: number[] = [];
    let missed = 0;
    let resolveFailures = 0;
    for (const { place, client, id } of detectors) {
      if (performance.now() > deadline) break;
      const arrived = new Promise<Order | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), ORDER_TIMEOUT_MS);
        waiters.set(place.name, (order) => {
          clearTimeout(timer);
          resolve(order);
        });
      });
      const t0 = performance.now();
      await client.publishAsync(`v1/${SITE}/fire/${id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke', ts: Date.now() }), { qos: 1 });
      pubacks.push(performance.now() - t0);
      const order = orders.get(place.name) ?? (await arrived);
      waiters.delete(place.name);
      if (!order) {
        missed++;
        continue;
      }
      latencies.push(order.receivedAt - t0);
      etas.push(order.etaSeconds);
      const resolved = await api.call('POST', `/api/incidents/${order.incidentId}/resolve`, { note: 'bench: drill, no fire' });
      if (resolved.status !== 200) resolveFailures++;
      await sleep(gapMs);
    }
    const cpuEnd = cpuOf(gateway.child.pid!);
    const gatewayCpu = Math.round(((cpuEnd.cpuSeconds - cpuStart.cpuSeconds) / ((cpuEnd.at - cpuStart.at) / 1000)) * 100);
    const bg = await background;
    latencies.sort((a, b) => a - b);
    pubacks.sort((a, b) => a - b);
    etas.sort((a, b) => a - b);
    console.log(`alarm → order: p50 ${percentile(latencies, 0.5).toFixed(1)} ms p99 ${percentile(latencies, 0.99).toFixed(1)} ms over ${latencies.length} (${missed} missed); background ${bg.ackedPerSecond.toFixed(0)} msg/s acked, p99 PUBACK ${bg.p99.toFixed(1)} ms`);
    await Promise.all(generators.map((g) => g.request({ op: 'close' }).catch(() => undefined)));
    const rejected = ((await gatewayMetric(httpPort, 'gateway_messages_rejected_total')) || 0) - rejectedBefore;
    const listed = (await api.must('GET', '/api/incidents?limit=1000', undefined, 200)) as { incidents: { ruleId: string }[] };
    const otherIncidents = listed.incidents.filter((i) => i.ruleId !== 'fire-alarm').length;

    const e2e = {
      background: mix,
      alarms: latencies.length + missed,
      ordersReceived: latencies.length,
      missed,
      resolveFailures,
      teams: teamCount,
      roadFeatures: site.roadFeatures,
      alarmToOrderP50Ms: round(percentile(latencies, 0.5)),
      alarmToOrderP99Ms: round(percentile(latencies, 0.99)),
      alarmToOrderMaxMs: round(latencies[latencies.length - 1] ?? Number.NaN),
      alarmPubackP50Ms: round(percentile(pubacks, 0.5)),
      orderEtaP50Seconds: round(percentile(etas, 0.5), 0),
      backgroundTargetPerSecond: backgroundRate,
      backgroundAckedPerSecond: Math.round(bg.ackedPerSecond),
      backgroundP99PubackMs: round(bg.p99),
      backgroundRejected: rejected,
      incidentsFromBackground: otherIncidents,
      gatewayCpuPercent: gatewayCpu,
      httpThrottled: api.throttled,
    };
    if (options.skipCompute) return { ...e2e, load1AtStart };
    console.log('dispatch compute on a ~50,000-segment network with 50 teams…');
    const compute = benchDispatchCompute();
    const prefixed = Object.fromEntries(Object.entries(compute).map(([key, value]) => [`compute${key[0]!.toUpperCase()}${key.slice(1)}`, value]));
    return { ...e2e, ...prefixed, load1AtStart };
  } finally {
    generators.forEach((g) => g.stop());
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    if (gateway) {
      gateway.child.kill('SIGTERM');
      const killer = setTimeout(() => gateway?.child.kill('SIGKILL'), 30_000);
      await gateway.exited;
      clearTimeout(killer);
    }
    await influx.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(siteDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await withCpuWatch(() => benchDispatch());
  const name = result.background === 'routine' ? 'dispatch' : `dispatch-${String(result.background)}-mix`;
  printTable(name, result);
  recordResults(name, result);
  process.exit(0);
}
