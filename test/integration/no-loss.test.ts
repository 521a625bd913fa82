import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { modelsForKind } from '../../devices/index.js';
import type { ValidExample } from '../../devices/model.js';
import { startInfluxd, type LocalServer } from '../../src/tools/local-servers.js';
import { ADMIN_TOKEN, SITE_SECRET, waitFor, type Credentials } from '../support/gateway-harness.js';
import { gatewayMetric, loopbackGatewayEnv, spawnGateway, type GatewayProcess } from '../../src/tools/gateway-process.js';

/**
 * "Nothing acknowledged is lost": a steady QoS 1 stream, the gateway killed
 * with SIGKILL mid-stream and restarted, then InfluxDB down for 30 s under
 * load. Every message that got a PUBACK must be in InfluxDB afterwards,
 * counted by its unique id.
 */

const PUBLISHERS = 8;
const IN_FLIGHT = 10;
const fireModel = modelsForKind('fire')[0]!;
const heartbeat = fireModel.examples.find((e): e is ValidExample => 'expect' in e && e.channel === 'status')!;
const measurement = heartbeat.expect.data[0]!.measurement;

class Publisher {
  readonly acked = new Set<string>();
  private sent = 0;
  private running = false;
  private inFlight = 0;
  readonly client: MqttClient;

  constructor(
    readonly credentials: Credentials,
    mqttPort: number,
    private readonly ratePerSecond: number,
  ) {
    this.client = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: credentials.mqtt.clientId,
      username: credentials.mqtt.username,
      password: credentials.secret,
      clean: false,
      reconnectPeriod: 250,
      connectTimeout: 3000,
    });
    this.client.on('error', () => undefined);
  }

  start(): void {
    this.running = true;
    const tick = () => {
      if (!this.running) return;
      for (let i = 0; i < Math.max(1, this.ratePerSecond / 20) && this.inFlight < IN_FLIGHT; i++) this.publishOne();
      setTimeout(tick, 50);
    };
    tick();
  }

  stop(): void {
    this.running = false;
  }

  private publishOne(): void {
    if (!this.client.connected) return;
    const id = `${this.credentials.device.id}-${++this.sent}`;
    const payload = { ...(heartbeat.payload as Record<string, unknown>), id, ts: Date.now() };
    this.inFlight++;
    this.client.publish(`v1/testvillage/fire/${this.credentials.device.id}/status`, JSON.stringify(payload), { qos: 1 }, (err) => {
      this.inFlight--;
      if (!err) this.acked.add(id);
    });
  }

  async settle(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
}

async function storedIds(influx: LocalServer, deviceId: string): Promise<Set<string>> {
  const q = `SELECT "msg_id" FROM "${measurement}" WHERE "device" = '${deviceId}'`;
  const response = await fetch(`${influx.url}/query?db=village&q=${encodeURIComponent(q)}`);
  const body = (await response.json()) as { results: { series?: { values: [string, string][] }[] }[] };
  return new Set((body.results[0]?.series?.[0]?.values ?? []).map((v) => v[1]));
}

const outboxDepth = (httpPort: number) => gatewayMetric(httpPort, 'gateway_outbox_depth_messages');

t.test('kill -9 mid-stream, then a 30 s InfluxDB outage under load: every acknowledged message is in InfluxDB', async (t) => {
  let influx = await startInfluxd();
  const dataDir = mkdtempSync(join(tmpdir(), 'no-loss-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = {
    ...(await loopbackGatewayEnv({ adminToken: ADMIN_TOKEN, siteSecret: SITE_SECRET, dataDir, influxUrl: influx.url })),
    SCRYPT_COST: '1024',
    LOG_LEVEL: 'warn',
    RATE_LIMITS: '{"fire":{"ratePerSecond":1000,"burst":1000}}',
  };
  let gateway: GatewayProcess = await spawnGateway(env);
  t.teardown(async () => {
    gateway.child.kill('SIGKILL');
    await influx.stop();
  });

  const credentials: Credentials[] = [];
  for (let i = 0; i < PUBLISHERS; i++) {
    const response = await fetch(`http://127.0.0.1:${gateway.httpPort}/api/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: `nl-fire-${i}`, site: 'testvillage', kind: 'fire', model: `${fireModel.vendor}/${fireModel.model}` }),
    });
    credentials.push((await response.json()) as Credentials);
  }
  const publishers = credentials.map((c) => new Publisher(c, gateway.mqttPort, 100));
  t.teardown(() => Promise.all(publishers.map((p) => p.client.endAsync(true))));
  await waitFor('publishers connected', () => publishers.every((p) => p.client.connected));
  publishers.forEach((p) => p.start());

  // Phase 1: SIGKILL mid-stream, restart on the same data dir and ports.
  await new Promise((r) => setTimeout(r, 3000));
  const ackedBeforeKill = publishers.reduce((n, p) => n + p.acked.size, 0);
  gateway.child.kill('SIGKILL');
  await gateway.exited;
  gateway = await spawnGateway(env);
  await waitFor('publishers reconnected', () => publishers.every((p) => p.client.connected), 20_000);
  await new Promise((r) => setTimeout(r, 2000));
  t.ok(ackedBeforeKill > 500, `${ackedBeforeKill} messages acknowledged before the kill`);

  // Phase 2: InfluxDB down for 30 s while the stream goes on.
  const restart = influx.restartOptions();
  await influx.stop({ keepData: true });
  await new Promise((r) => setTimeout(r, 30_000));
  const depthDuringOutage = await outboxDepth(gateway.httpPort);
  t.ok(depthDuringOutage > 1000, `outbox held ${depthDuringOutage} messages during the outage`);
  influx = await startInfluxd(restart);

  await new Promise((r) => setTimeout(r, 2000));
  publishers.forEach((p) => p.stop());
  await Promise.all(publishers.map((p) => p.settle(10_000)));
  await waitFor('outbox drained', async () => (await outboxDepth(gateway.httpPort)) === 0, 60_000).catch(async (err: Error) => {
    const readiness = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/readyz`)).text();
    throw new Error(`${err.message}; readyz: ${readiness}; gateway output: ${gateway.output.slice(-10).join('\n')}`);
  });

  let acked = 0;
  let missing = 0;
  for (const p of publishers) {
    const stored = await storedIds(influx, p.credentials.device.id);
    acked += p.acked.size;
    for (const id of p.acked) if (!stored.has(id)) missing++;
  }
  t.ok(acked > 5000, `${acked} messages acknowledged in all`);
  t.equal(missing, 0, 'every acknowledged message is in InfluxDB');
});
