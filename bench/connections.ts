import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { modelsForKind } from '../devices/index.js';
import { modelId } from '../devices/model.js';
import { DEFAULT_SCRYPT_COST } from '../src/config.js';
import { gatewayMetric, spawnGateway, type GatewayProcess, loopbackGatewayEnv } from '../src/tools/gateway-process.js';
import { startInfluxd } from '../src/tools/local-servers.js';
import { templatesFor } from './ingest.js';
import { printTable, recordResults } from './report.js';
import { withCpuWatch } from './support/cpu-watch.js';
import { AdminApi, mapBounded } from './support/admin-http.js';
import { IpcChild } from './support/ipc-child.js';
import { load1, openFds, openFileLimit, round, rssKiB, sleep, waitUntil } from './support/machine.js';
import type { RawCommand, RawDevice, RawReport } from './support/raw-mqtt-clients.js';
import { seedDevices } from './support/seed-devices.js';

/**
 * npm run bench:connections — how many authenticated idle device connections
 * one gateway process holds, what each costs in memory, how fast devices
 * connect, and whether the gateway still serves with all of them open.
 *
 *  - devices: `target − httpSample` registered in one go before the gateway
 *    starts (scrypt N=1024, see support/seed-devices.ts), `httpSample`
 *    through POST /api/devices at the default cost (DEFAULT_SCRYPT_COST, timed);
 *  - clients: `clientProcesses` forked processes of raw MQTT sockets
 *    (support/raw-mqtt-clients.ts), each under 6,000 connections: every
 *    process here has a hard limit of 20,000 open files;
 *  - measured: connect rate at the default cost (the HTTP-registered sample) and at
 *    N=1024 (the bulk), gateway RSS at 0 and at N connections
 *    (/proc/<pid>/status), /healthz and a QoS 1 publish with all of them
 *    held, then the ceiling: more connections until the gateway refuses
 *    them, and whether it serves again once they are gone.
 */

export interface ConnectionsOptions {
  /** Connections to hold (default 19,500). */
  target?: number;
  /** Of those, registered through the HTTP API at the default scrypt cost and timed (default 500). */
  httpSample?: number;
  clientProcesses?: number;
  /** Extra connections tried past `target` to find the ceiling (default 600). */
  probeExtra?: number;
  /** How long all connections are held, pinging, before they are counted again (default 30 s). */
  holdMs?: number;
  keepaliveSeconds?: number;
  /**
   * Lowers the gateway's soft open-file limit (prlimit(1)) so that a quick run
   * meets the ceiling with a few thousand connections instead of 20,000.
   */
  softFdLimit?: number;
}

const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const SITE = 'bench';
const BULK_COST = 1024;
const DEFAULT_COST = DEFAULT_SCRYPT_COST;
/** The API's per-client rate limit (src/api/http-server.ts). */
const HTTP_LIMIT_PER_MINUTE = 1200;
const RAW_CLIENTS = new URL('./support/raw-mqtt-clients.ts', import.meta.url);

type RawChild = IpcChild<RawCommand, RawReport>;

function camera(id: string) {
  return { id, site: SITE, kind: 'camera' as const, model: modelId(modelsForKind('camera')[0]!) };
}

async function connectRaw(child: RawChild, port: number, devices: RawDevice[], concurrency: number, keepaliveSeconds: number): Promise<RawReport> {
  // Generous bound: 5,000 CONNECTs at N=16384 would take ~2 min on 2 cores; the default costs a quarter of that.
  return child.request({ op: 'connect', port, devices, concurrency, keepaliveSeconds, timeoutMs: 30_000 }, 600_000);
}

/** GET /healthz on a new connection (as an outside monitor would): "200 in X ms" or why not. */
function healthz(httpPort: number, timeoutMs = 5000): Promise<string> {
  const started = performance.now();
  return new Promise((resolve) => {
    const request = httpGet({ host: '127.0.0.1', port: httpPort, path: '/healthz', agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => resolve(`${response.statusCode} in ${(performance.now() - started).toFixed(1)} ms`));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    request.on('error', (err: NodeJS.ErrnoException) => resolve(`no answer (${err.code ?? err.message})`));
  });
}

/** One QoS 1 publish by a device connected only for this: "acked in X ms" or why not. */
async function qos1Check(mqttPort: number, id: string, secret: string, payload: string): Promise<string> {
  let client: mqtt.MqttClient | undefined;
  try {
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: id, username: id, password: secret, reconnectPeriod: 0, connectTimeout: 10_000 });
    const started = performance.now();
    const filled = payload.replaceAll('"__TS__"', String(Date.now())).replace('__ID__', `conn-check-${Date.now()}`);
    await Promise.race([client.publishAsync(`v1/${SITE}/camera/${id}/event`, filled, { qos: 1 }), sleep(10_000).then(() => Promise.reject(new Error('no PUBACK in 10 s')))]);
    return `PUBACK in ${(performance.now() - started).toFixed(1)} ms`;
  } catch (err) {
    return `failed (${(err as Error).message})`;
  } finally {
    await client?.endAsync(true).catch(() => undefined);
  }
}

const sumErrors = (reports: RawReport[]) => {
  const all: Record<string, number> = {};
  for (const r of reports) for (const [reason, n] of Object.entries(r.errors ?? {})) all[reason] = (all[reason] ?? 0) + n;
  return Object.entries(all).map(([reason, n]) => `${reason}: ${n}`).join(', ') || 'none';
};

export async function benchConnections(options: ConnectionsOptions = {}): Promise<Record<string, number | string>> {
  const target = options.target ?? Number(process.env.BENCH_CONNECTIONS ?? 19_500);
  const httpSample = options.httpSample ?? 500;
  const processes = options.clientProcesses ?? 4;
  const probeExtra = options.probeExtra ?? 600;
  const holdMs = options.holdMs ?? Number(process.env.BENCH_HOLD_MS ?? 30_000);
  const keepaliveSeconds = options.keepaliveSeconds ?? 60;
  const bulkCount = target - httpSample;
  if (Math.ceil(bulkCount / processes) + httpSample > 6000) throw new Error(`more than 6,000 connections per client process: use more than ${processes}`);
  const load1AtStart = load1();

  const dataDir = mkdtempSync(join(tmpdir(), 'bench-connections-'));
  const bulk = Array.from({ length: bulkCount }, (_, i) => camera(`conn-b-${i}`));
  const probe = Array.from({ length: probeExtra }, (_, i) => camera(`conn-p-${i}`));
  console.log(`registering ${bulk.length + probe.length} devices in one go (scrypt N=${BULK_COST})…`);
  const seeded = await seedDevices(dataDir, [...bulk, ...probe], BULK_COST);
  console.log(`  hashed in ${(seeded.hashMs / 1000).toFixed(1)} s, written in ${(seeded.insertMs / 1000).toFixed(1)} s`);

  const influx = await startInfluxd();
  let gateway: GatewayProcess | undefined;
  const children: RawChild[] = [];
  try {
    gateway = await spawnGateway(
      {
        ...(await loopbackGatewayEnv({ adminToken: ADMIN_TOKEN, siteSecret: 'bench-site-secret-0123456789abcdef0123456789', dataDir, influxUrl: influx.url })),
        LOG_LEVEL: 'error',
        SCRYPT_COST: String(DEFAULT_COST),
      },
      60_000,
    );
    const pid = gateway.child.pid!;
    if (options.softFdLimit) execFileSync('prlimit', ['--pid', String(pid), `--nofile=${options.softFdLimit}:${openFileLimit(pid)}`]);
    const { mqttPort, httpPort } = gateway;
    const api = new AdminApi(httpPort, ADMIN_TOKEN);

    console.log(`registering ${httpSample} devices through POST /api/devices (scrypt N=${DEFAULT_COST}, 4 at a time)…`);
    const sampleIds = Array.from({ length: httpSample + 1 }, (_, i) => `conn-h-${i}`);
    let started = performance.now();
    const sampleSecrets = await mapBounded(sampleIds, 4, async (id) => ((await api.must('POST', '/api/devices', camera(id), 201)) as { secret: string }).secret);
    const httpMs = performance.now() - started;
    const httpPerSecond = sampleIds.length / (httpMs / 1000);
    const checkDevice = { id: sampleIds.pop()!, secret: sampleSecrets.pop()! };
    const sample: RawDevice[] = sampleIds.map((id, i) => ({ id, secret: sampleSecrets[i]! }));
    // Through the API: hashing-bound, and never faster than the rate limit allows.
    const register19kMinutes = Math.max(19_000 / httpPerSecond / 60, 19_000 / HTTP_LIMIT_PER_MINUTE);
    console.log(`  ${httpPerSecond.toFixed(1)} devices/s (${api.throttled} throttled); 19,000 this way: ≥ ${register19kMinutes.toFixed(1)} min`);

    await sleep(3000);
    const rss0 = rssKiB(pid);
    const fds0 = openFds(pid);
    console.log(`gateway at 0 connections: RSS ${(rss0 / 1024).toFixed(1)} MiB, ${fds0} open fds, limit ${openFileLimit(pid)}`);

    for (let i = 0; i < processes; i++) children.push(new IpcChild<RawCommand, RawReport>(RAW_CLIENTS));
    const first = children[0]!;
    const costly = await connectRaw(first, mqttPort, sample, 16, keepaliveSeconds);
    const rateDefault = (costly.connected ?? 0) / ((costly.elapsedMs ?? 1) / 1000);
    console.log(`N=${DEFAULT_COST}: ${costly.connected}/${sample.length} connected at ${rateDefault.toFixed(1)}/s (failures: ${sumErrors([costly])})`);

    const secretOf = (id: string) => seeded.secrets.get(id)!;
    const shares = children.map((_, c) => bulk.filter((_, i) => i % processes === c).map((d) => ({ id: d.id, secret: secretOf(d.id) })));
    started = performance.now();
    const bulkReports = await Promise.all(children.map((child, c) => connectRaw(child, mqttPort, shares[c]!, 64, keepaliveSeconds)));
    const bulkMs = performance.now() - started;
    const bulkConnected = bulkReports.reduce((n, r) => n + (r.connected ?? 0), 0);
    const rateBulk = bulkConnected / (bulkMs / 1000);
    console.log(`N=${BULK_COST}: ${bulkConnected}/${bulk.length} connected at ${rateBulk.toFixed(0)}/s (failures: ${sumErrors(bulkReports)})`);

    const expected = (costly.connected ?? 0) + bulkConnected;
    const counted = await waitUntil('the gateway to count every connection', async () => ((await gatewayMetric(httpPort, 'gateway_mqtt_connections')) >= expected ? expected : undefined), 30_000, 500).catch(
      async () => gatewayMetric(httpPort, 'gateway_mqtt_connections'),
    );
    await sleep(5000);
    const rssN = rssKiB(pid);
    const fdsN = openFds(pid);
    const healthAtN = await healthz(httpPort);
    const camTemplate = templatesFor('camera').payloads[0]!;
    const publishAtN = await qos1Check(mqttPort, checkDevice.id, checkDevice.secret, camTemplate);
    const perThousand = (rssN - rss0) / 1024 / (expected / 1000);
    console.log(`held ${expected} (gateway counts ${counted}): RSS ${(rssN / 1024).toFixed(1)} MiB → ${perThousand.toFixed(2)} MiB per 1,000; ${fdsN} fds; /healthz ${healthAtN}; QoS 1 ${publishAtN}`);

    console.log(`holding for ${holdMs / 1000} s (PINGREQ every ${keepaliveSeconds / 2} s)…`);
    await sleep(holdMs);
    const statuses = await Promise.all(children.map((child) => child.request({ op: 'status' }, 30_000)));
    const openAfterHold = statuses.reduce((n, s) => n + (s.open ?? 0), 0);
    const dropped = statuses.reduce((n, s) => n + (s.dropped ?? 0), 0);
    const healthAfterHold = await healthz(httpPort);
    console.log(`after the hold: ${openAfterHold} open, ${dropped} dropped by the gateway; /healthz ${healthAfterHold}`);

    console.log(`looking for the ceiling: ${probeExtra} more connections…`);
    const prober = new IpcChild<RawCommand, RawReport>(RAW_CLIENTS);
    children.push(prober);
    const probed = await connectRaw(prober, mqttPort, probe.map((d) => ({ id: d.id, secret: secretOf(d.id) })), 8, keepaliveSeconds);
    await sleep(1000);
    const fdsAtCeiling = openFds(pid);
    const proberStatus = await prober.request({ op: 'status' }, 30_000);
    const ceiling = openAfterHold + (proberStatus.open ?? 0);
    const healthAtCeiling = await healthz(httpPort, 3000);
    console.log(`ceiling: ${ceiling} connections (${probed.connected} of ${probeExtra} more; failures: ${sumErrors([probed])}); gateway fds ${fdsAtCeiling}; /healthz ${healthAtCeiling}`);
    await prober.request({ op: 'close' }, 30_000).catch(() => prober.stop());
    await sleep(2000);
    const healthAfterCeiling = await healthz(httpPort);
    const publishAfterCeiling = await qos1Check(mqttPort, checkDevice.id, checkDevice.secret, camTemplate);
    console.log(`probe closed: /healthz ${healthAfterCeiling}; QoS 1 ${publishAfterCeiling}`);

    return {
      target,
      clientProcesses: processes,
      connectionsHeld: expected,
      connectionsCountedByGateway: counted,
      openAfterHold,
      droppedDuringHold: dropped,
      holdSeconds: holdMs / 1000,
      ceilingConnections: ceiling,
      ceilingFailures: sumErrors([probed]),
      gatewayOpenFileLimit: openFileLimit(pid),
      gatewayFdsAt0: fds0,
      gatewayFdsAtN: fdsN,
      gatewayFdsAtCeiling: fdsAtCeiling,
      rssAt0MiB: round(rss0 / 1024, 1),
      rssAtNMiB: round(rssN / 1024, 1),
      rssPer1000ConnectionsMiB: round(perThousand),
      connectPerSecondScrypt1024: Math.round(rateBulk),
      connectPerSecondDefaultCost: round(rateDefault, 1),
      defaultScryptCost: DEFAULT_COST,
      connectSampleDefaultCost: costly.connected ?? 0,
      healthzAtN: healthAtN,
      qos1AtN: publishAtN,
      healthzAtCeiling: healthAtCeiling,
      healthzAfterCeiling: healthAfterCeiling,
      qos1AfterCeiling: publishAfterCeiling,
      httpRegisterSample: sampleIds.length + 1,
      httpRegisterPerSecond: round(httpPerSecond, 1),
      httpRegister19kMinutesAtLeast: round(register19kMinutes, 1),
      bulkRegisterSeconds: round((seeded.hashMs + seeded.insertMs) / 1000, 1),
      bulkRegisterDevices: bulk.length + probe.length,
      load1AtStart,
    };
  } finally {
    await Promise.all(children.map((child) => child.request({ op: 'close' }, 30_000).catch(() => child.stop())));
    if (gateway) {
      gateway.child.kill('SIGTERM');
      const killer = setTimeout(() => gateway?.child.kill('SIGKILL'), 60_000);
      await gateway.exited;
      clearTimeout(killer);
    }
    await influx.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await withCpuWatch(() => benchConnections());
  printTable('connections', result);
  recordResults('connections', result);
  process.exit(0);
}
