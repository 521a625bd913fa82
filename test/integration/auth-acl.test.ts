import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { modelsForKind } from '../../devices/index.js';
import { examplePayload, nextMessage, startGateway, waitFor, type Credentials } from '../support/gateway-harness.js';

// InfluxDB is not needed here: the outbox keeps everything while it is unreachable.
const NO_INFLUX = { INFLUX_URL: 'http://127.0.0.1:9' };

t.test('authentication at CONNECT (MQTT-3.1.4, return codes of MQTT-3.2.2.3)', async (t) => {
  const h = await startGateway({ ...NO_INFLUX });
  t.teardown(() => h.stop());
  const device = await h.register('fire');

  const client = await h.connect(device);
  t.ok(client.connected, 'the issued secret works');
  await client.endAsync();

  await t.rejects(h.connect({ ...device, secret: 'not-the-secret' }), /Bad username or password/, 'wrong secret refused');
  await t.rejects(
    h.connect({ ...device, mqtt: { ...device.mqtt, username: 'nobody', clientId: 'nobody' } }),
    /Bad username or password/,
    'unknown device refused',
  );
  const other = await h.register('fire');
  await t.rejects(
    h.connect({ ...device, mqtt: { ...device.mqtt, clientId: other.device.id } }),
    /Identifier rejected/,
    'client id must be the device id, so no device can take over another\'s session',
  );
  await t.rejects(
    h.connect(device, { will: { topic: `v1/testvillage/fire/${other.device.id}/status`, payload: Buffer.from('{"online":false}'), qos: 1, retain: true } }),
    /Not authorized/,
    'a Last Will on another device\'s topic is refused',
  );

  const connected = await h.connect(device);
  const closed = new Promise<void>((resolve) => connected.once('close', () => resolve()));
  const disabled = await h.http('POST', `/api/devices/${device.device.id}/disable`);
  t.equal(disabled.status, 200);
  await closed;
  t.pass('disabling a device disconnects it');
  await t.rejects(h.connect(device), /Not authorized/, 'a disabled device is refused');

  const metrics = (await h.http('GET', '/metrics')).text;
  t.match(metrics, /gateway_mqtt_connect_refused_total\{reason="wrong_secret"\} 1/);
  t.match(metrics, /gateway_mqtt_connect_refused_total\{reason="device_disabled"\} 1/);
});

t.test('ACL: a device speaks only for itself', async (t) => {
  const h = await startGateway({ ...NO_INFLUX });
  t.teardown(() => h.stop());
  const [camera, victim] = [await h.register('camera'), await h.register('camera')];
  const model = modelsForKind('camera')[0]!;

  const attacker = await h.connect(camera);
  const before = h.gateway.outbox.depth().messages;
  const closed = new Promise<void>((resolve) => attacker.once('close', () => resolve()));
  attacker.publish(`v1/testvillage/camera/${victim.device.id}/event`, examplePayload(model), { qos: 1 });
  await closed;
  t.pass('publishing into another device\'s topic closes the connection (MQTT-3.3.5-2)');
  t.equal(h.gateway.outbox.depth().messages, before, 'nothing was stored');
  t.ok(h.logLines.some((l) => l.includes('publish refused by ACL') && l.includes(victim.device.id)), 'and it is logged');

  for (const topic of [
    `v1/othervillage/camera/${camera.device.id}/event`,
    `v1/testvillage/fire/${camera.device.id}/event`,
    `v1/testvillage/camera/${camera.device.id}/cmd`,
    '$SYS/village-gateway/uptime',
    'anything/else',
  ]) {
    const client = await h.connect(camera);
    const gone = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(topic, examplePayload(model), { qos: 1 });
    await gone;
    t.pass(`refused: ${topic}`);
  }

  // Raw packets: MQTT.js turns any 0x80 into an error and hides the per-filter return codes.
  const session = await rawSession(h.addresses.mqttPort, camera);
  session.send({
    cmd: 'subscribe',
    messageId: 9,
    subscriptions: [
      `v1/testvillage/camera/${camera.device.id}/cmd`,
      `v1/testvillage/camera/${camera.device.id}/reply`,
      `v1/testvillage/camera/${victim.device.id}/cmd`,
      'v1/testvillage/camera/+/event',
      '#',
      '$SYS/#',
    ].map((topic) => ({ topic, qos: 1 as const })),
  });
  const suback = await session.next('suback');
  t.same(suback.granted, [1, 1, 128, 128, 128, 128], 'own cmd and reply granted; others\' topics and wildcards get 0x80 (MQTT-3.9.3)');
  session.send({ cmd: 'pingreq' });
  await session.next('pingresp');
  t.pass('a refused subscription does not disconnect');
  session.socket.destroy();
  const metrics = (await h.http('GET', '/metrics')).text;
  t.match(metrics, /gateway_mqtt_acl_denied_total\{action="subscribe"\} 4/);
});

t.test('wildcards in PUBLISH are refused (MQTT-3.3.2-2)', async (t) => {
  const h = await startGateway({ ...NO_INFLUX });
  t.teardown(() => h.stop());
  const device = await h.register('fire');
  const session = await rawSession(h.addresses.mqttPort, device);
  const closed = new Promise<void>((resolve) => session.socket.once('close', () => resolve()));
  session.send({ cmd: 'publish', topic: `v1/testvillage/fire/+/event`, payload: Buffer.from('{}'), qos: 1, messageId: 1, retain: false, dup: false });
  await closed;
  t.pass('connection closed');
});

/** A hand-driven MQTT 3.1.1 session, to see packets exactly as the broker sends them. */
async function rawSession(port: number, credentials: Credentials) {
  const socket = connectTcp(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: mqttPacket.Packet[] = [];
  const waiters: (() => void)[] = [];
  parser.on('packet', (packet) => {
    packets.push(packet);
    waiters.splice(0).forEach((wake) => wake());
  });
  socket.on('data', (chunk) => parser.parse(chunk));
  const send = (packet: Partial<mqttPacket.Packet>) => socket.write(mqttPacket.generate(packet as mqttPacket.Packet));
  const next = async (cmd: string): Promise<any> => {
    for (;;) {
      const index = packets.findIndex((p) => p.cmd === cmd);
      if (index >= 0) return packets.splice(index, 1)[0];
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 30, clientId: credentials.device.id, username: credentials.device.id, password: Buffer.from(credentials.secret) });
  const connack = await next('connack');
  if (connack.returnCode !== 0) throw new Error(`CONNACK ${connack.returnCode}`);
  return { socket, send, next };
}

t.test('oversize packets are refused from their header and dead-lettered', async (t) => {
  const h = await startGateway({ ...NO_INFLUX, MQTT_MAX_PACKET_BYTES: '4096' });
  t.teardown(() => h.stop());
  const device = await h.register('camera');
  const client = await h.connect(device);
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  client.publish(`v1/testvillage/camera/${device.device.id}/event`, Buffer.alloc(100_000, 0x41), { qos: 1 });
  await closed;
  const letters = await waitFor('dead letter', async () => {
    const r = await h.http('GET', `/api/dead-letters?deviceId=${device.device.id}`);
    return r.json.deadLetters.length > 0 ? r.json.deadLetters : undefined;
  });
  t.equal(letters[0].reason, 'oversize_packet');
  t.match(letters[0].detail, /exceeds the 4096-byte limit/);
  const again = await h.connect(device);
  t.ok(again.connected, 'the device can reconnect and carry on');
});

t.test('per-device rate limit slows only the flooding device and tells it why', async (t) => {
  const h = await startGateway({ ...NO_INFLUX, RATE_LIMITS: '{"fire":{"ratePerSecond":20,"burst":5}}' });
  t.teardown(() => h.stop());
  const model = modelsForKind('fire')[0]!;
  const [flooder, neighbour] = [await h.register('fire'), await h.register('fire')];
  const floodClient = await h.connect(flooder);
  await floodClient.subscribeAsync(`v1/testvillage/fire/${flooder.device.id}/reply`);
  const notice = nextMessage(floodClient, `v1/testvillage/fire/${flooder.device.id}/reply`);
  const started = Date.now();
  const flood = Promise.all(
    Array.from({ length: 45 }, () => floodClient.publishAsync(`v1/testvillage/fire/${flooder.device.id}/status`, examplePayload(model, 'status'), { qos: 1 })),
  );
  const reply = await notice;
  t.equal(reply.reason, 'rate_limited');
  t.match(reply.message, /20 messages\/s/);

  const quiet = await h.connect(neighbour);
  const quietStarted = Date.now();
  await quiet.publishAsync(`v1/testvillage/fire/${neighbour.device.id}/status`, examplePayload(model, 'status'), { qos: 1 });
  const quietMs = Date.now() - quietStarted;
  await flood;
  const floodMs = Date.now() - started;
  t.ok(floodMs >= 1500, `45 messages at 20/s after a burst of 5 took ${floodMs} ms (≥ 2 s expected, 1.5 s tolerance)`);
  t.ok(quietMs < floodMs / 2, `the neighbour was acknowledged in ${quietMs} ms meanwhile`);
  t.match((await h.http('GET', '/metrics')).text, /gateway_rate_limited_total\{kind="fire"\} \d+/);
});

t.test('MQTT over WebSocket on /mqtt and over TLS', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const h = await startGateway({ ...NO_INFLUX, TLS_CERT_FILE: join(dir, 'cert.pem'), TLS_KEY_FILE: join(dir, 'key.pem'), MQTTS_PORT: '0' });
  t.teardown(() => h.stop());
  const model = modelsForKind('team')[0]!;
  const device = await h.register('team');
  const topic = `v1/testvillage/team/${device.device.id}/event`;
  const options = { clientId: device.device.id, username: device.device.id, password: device.secret, reconnectPeriod: 0 };

  const overWs = await mqtt.connectAsync(`ws://127.0.0.1:${h.addresses.httpPort}/mqtt`, options);
  await overWs.publishAsync(topic, examplePayload(model), { qos: 1 });
  await overWs.endAsync();
  t.pass('QoS 1 publish acknowledged over WebSocket');

  t.ok(h.addresses.mqttTlsPort, 'TLS listener started');
  const overTls = await mqtt.connectAsync(`mqtts://127.0.0.1:${h.addresses.mqttTlsPort}`, { ...options, rejectUnauthorized: false });
  await overTls.publishAsync(topic, examplePayload(model), { qos: 1 });
  await overTls.endAsync();
  t.pass('QoS 1 publish acknowledged over TLS');
});

t.test('availability: online on connect, offline by Last Will, heartbeat timeout and disconnect', async (t) => {
  const h = await startGateway({ ...NO_INFLUX, HEARTBEAT_TIMEOUT_FACTOR: '1' });
  t.teardown(() => h.stop());
  const device = await h.register('team');
  const state = async () => (await h.http('GET', `/api/devices/${device.device.id}`)).json;
  t.equal((await state()).online, false);
  t.equal((await state()).firstSeenAt, null);

  const client = await h.connect(device, { will: { topic: `v1/testvillage/team/${device.device.id}/status`, payload: Buffer.from('{"online":false}'), qos: 1, retain: true } });
  await waitFor('online', async () => (await state()).online);
  t.ok((await state()).firstSeenAt > 0, 'first seen kept');
  // Kill the socket without DISCONNECT: the broker publishes the will (MQTT-3.1.2-8).
  (client as unknown as { stream: { destroy(): void } }).stream.destroy();
  const offline = await waitFor('offline', async () => {
    const s = await state();
    return s.online ? undefined : s;
  });
  t.match(offline.offlineReason, /last-will|disconnected/);

  const again = await h.connect(device);
  await waitFor('online again', async () => (await state()).online);
  // Silence past one heartbeat period (factor 1): the sweep takes it offline although the socket is open.
  const model = modelsForKind('team')[0]!;
  h.gateway.registry.markSeen(device.device.id, Date.now() - model.heartbeatSeconds * 1000 - 1000);
  (h.gateway as unknown as { availability: { sweep(): void } }).availability.sweep();
  const timedOut = await state();
  t.equal(timedOut.online, false);
  t.equal(timedOut.offlineReason, 'heartbeat-timeout');
  await again.endAsync();
});
