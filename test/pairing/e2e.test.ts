import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { findModel } from '../../devices/index.js';
import { BearerTokens } from '../../src/api/auth.js';
import { createHttpServer } from '../../src/api/http-server.js';
import { pairingRoutes } from '../../src/api/routes/pairing.js';
import { createLogger } from '../../src/log.js';
import type { CommissioningView } from '../../src/pairing/commissioning.js';
import type { DeviceCredentials } from '../../src/pairing/device-config.js';
import { createPairing, PAIRING_MIGRATION, wirePairing } from '../../src/pairing/index.js';
import { migrate, openDatabase } from '../../src/store/sqlite.js';
import { ADMIN_TOKEN, nextMessage, startGateway, waitFor } from '../support/gateway-harness.js';

// InfluxDB is not needed here: the outbox keeps everything while it is unreachable.
const NO_INFLUX = { INFLUX_URL: 'http://127.0.0.1:9' };
const INSTALLER_TOKEN = 'installer-token-for-pairing-e2e';

interface Claimed extends DeviceCredentials {
  device: { id: string };
}

function connect(url: string, options: IClientOptions): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

t.test('claim → credentials work with a real MQTT client → seen → test → commissioned; refusals become likely causes', async (t) => {
  const h = await startGateway(NO_INFLUX);
  const dir = mkdtempSync(join(tmpdir(), 'pairing-e2e-'));
  const db = openDatabase(join(dir, 'pairing.db'), { sync: 'normal' });
  migrate(db, [PAIRING_MIGRATION]);
  const pairing = createPairing({ db, registry: h.gateway.registry, findModel, scryptCost: 1024 });
  const unwire = wirePairing(h.gateway.bus, pairing.commissioning);
  const app = await createHttpServer({ log: createLogger('silent'), trustProxy: false, upgrades: {} });
  const auth = new BearerTokens([
    { token: ADMIN_TOKEN, principal: { name: 'admin-token', role: 'admin' } },
    { token: INSTALLER_TOKEN, principal: { name: 'ivan', role: 'installer' } },
  ]);
  await app.register(pairingRoutes, { auth, pairing, mqtt: { host: '127.0.0.1', port: h.addresses.mqttPort } });
  await app.ready();
  const clients: MqttClient[] = [];
  t.teardown(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    unwire();
    await app.close();
    await h.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const api = async (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>, token = INSTALLER_TOKEN) => {
    const response = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    return { status: response.statusCode, json: response.json() as Record<string, unknown> & CommissioningView };
  };

  const batch = await api('POST', '/api/pairing/claim-codes', { site: 'testvillage', kind: 'fire', count: 2 }, ADMIN_TOKEN);
  t.equal(batch.status, 201);
  const codes = (batch.json as unknown as { codes: { code: string }[] }).codes;
  const claim = await api('POST', '/api/pairing/claim', { code: codes[0]!.code, model: 'emberline/d10', lon: 120.21, lat: 30.2 });
  t.equal(claim.status, 201);
  const claimed = claim.json as unknown as Claimed;
  const { config, mqtt: hints } = claimed;
  const id = claimed.device.id;
  t.match(h.gateway.registry.get(id), { id, kind: 'fire', lon: 120.21, lat: 30.2 }, 'registered in the gateway\'s own registry');

  const live: string[] = [];
  const stopLive = pairing.commissioning.subscribe(id, (view) => live.push(view.state));
  t.teardown(stopLive);

  const url = `mqtt://${config.host}:${config.port}`;
  await t.rejects(connect(url, { clientId: config.clientId, username: config.username, password: 'not-the-secret' }), /Bad username or password/);
  const refused = await api('GET', `/api/pairing/devices/${id}`);
  t.match(refused.json, { state: 'registered', refusals: [{ reason: 'wrong_secret', count: 1 }], likelyCauses: [{ title: 'wrong secret' }] });

  // Exactly what a device that read the configuration QR does.
  const device = await connect(url, {
    clientId: config.clientId,
    username: config.username,
    password: config.password,
    will: { topic: hints.lastWill.topic, payload: Buffer.from(hints.lastWill.payload), qos: hints.lastWill.qos, retain: hints.lastWill.retain },
  });
  clients.push(device);
  await device.subscribeAsync(hints.subscribe, { qos: 1 });
  await device.publishAsync(`${config.topicPrefix}/status`, JSON.stringify({ battery: 96, rssi: -70, fw: '1.4.2' }), { qos: 1 });
  const seen = await api('GET', `/api/pairing/devices/${id}`);
  t.match(seen.json, { state: 'seen', connectedAt: Number, seenAt: Number, testReceivedAt: null });

  const reply = nextMessage(device, `${config.topicPrefix}/reply`);
  await device.publishAsync(`${config.topicPrefix}/event`, JSON.stringify({ event: 'tset' }), { qos: 1 });
  t.match(await reply, { status: 'rejected' }, 'a bad payload is answered on reply');
  t.match((await api('GET', `/api/pairing/devices/${id}`)).json, { state: 'seen', likelyCauses: [{ title: 'wrong secret' }, { source: 'rejected' }] });

  await device.publishAsync(`${config.topicPrefix}/event`, JSON.stringify({ event: 'test', sensor: 'smoke' }), { qos: 1 });
  t.match((await api('GET', `/api/pairing/devices/${id}`)).json, { state: 'test-received', testReceivedAt: Number, likelyCauses: [{ title: 'wrong secret' }] });

  const done = await api('POST', `/api/pairing/devices/${id}/commission`);
  t.equal(done.status, 200);
  t.match(done.json, { state: 'commissioned', commissionedBy: 'ivan', likelyCauses: [] });
  t.same(live.filter((state, i) => state !== live[i - 1]), ['registered', 'seen', 'test-received', 'commissioned'], 'the live listener followed along');

  // A second device, misconfigured with another site in its topic: the broker's ACL refuses it.
  const other = (await api('POST', '/api/pairing/claim', { code: codes[1]!.code, model: 'emberline/d10', lon: 120.2, lat: 30.2 })).json as unknown as Claimed;
  const wrong = await connect(url, { clientId: other.config.clientId, username: other.config.username, password: other.config.password });
  clients.push(wrong);
  const closed = new Promise<void>((resolve) => wrong.once('close', () => resolve()));
  const wrongTopic = `v1/othervillage/fire/${other.device.id}/event`;
  wrong.publish(wrongTopic, JSON.stringify({ event: 'test' }), { qos: 1 });
  await closed;
  await waitFor('the ACL refusal in the log', () => h.logLines.some((l) => l.includes('publish refused by ACL')));
  const misrouted = await api('GET', `/api/pairing/devices/${other.device.id}`);
  t.match(misrouted.json, {
    state: 'registered',
    connectedAt: Number,
    likelyCauses: [{ title: `publishing to the wrong topic (${wrongTopic})`, hint: new RegExp(`${other.config.topicPrefix}/event`) }],
  });
});
