import t from 'tap';
import { DEVICE_KINDS } from '../../devices/model.js';
import { startInfluxd } from '../../src/tools/local-servers.js';
import { startGateway } from '../support/gateway-harness.js';

t.test('operations: healthz, readyz follows InfluxDB, metrics, OpenAPI docs', async (t) => {
  const influx = await startInfluxd();
  t.teardown(() => influx.stop());
  const h = await startGateway({ INFLUX_URL: influx.url, INFLUX_DB: 'village' });
  t.teardown(() => h.stop());

  t.same((await h.http('GET', '/healthz', undefined, '')).json, { status: 'ok' });
  const ready = await h.http('GET', '/readyz', undefined, '');
  t.equal(ready.status, 200, 'ready with broker, SQLite, InfluxDB and room in the outbox');
  t.same(ready.json.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]), [['broker', true], ['sqlite', true], ['influxdb', true], ['outbox', true]]);

  const restart = influx.restartOptions();
  await influx.stop({ keepData: true });
  const notReady = await h.http('GET', '/readyz', undefined, '');
  t.equal(notReady.status, 503, 'InfluxDB down: not ready');
  t.match(notReady.json.checks.find((c: { name: string }) => c.name === 'influxdb').detail, /not reachable/);
  const again = await startInfluxd(restart);
  t.teardown(() => again.stop());
  t.equal((await h.http('GET', '/readyz', undefined, '')).status, 200, 'ready again');

  const metrics = await h.http('GET', '/metrics', undefined, '');
  for (const name of ['gateway_mqtt_connections', 'gateway_messages_in_total', 'gateway_outbox_depth_messages', 'gateway_influx_write_seconds', 'gateway_process_resident_memory_bytes', 'gateway_nodejs_eventloop_lag_p99_seconds']) {
    t.match(metrics.text, new RegExp(`# TYPE ${name} `), name);
  }
  const docs = await h.http('GET', '/docs/json', undefined, '');
  t.equal(docs.status, 200);
  t.ok(docs.json.paths['/api/devices'].post, 'OpenAPI built from the route schemas');
  t.equal(docs.json.components.securitySchemes.bearer.scheme, 'bearer');
  const headers = await fetch(`http://127.0.0.1:${h.addresses.httpPort}/healthz`);
  t.equal(headers.headers.get('x-content-type-options'), 'nosniff', 'security headers on every response');
});

t.test('device models and the device registry API', async (t) => {
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9' });
  t.teardown(() => h.stop());
  const models = (await h.http('GET', '/api/device-models', undefined, '')).json.models as { id: string; kind: string; measurements: unknown[] }[];
  t.same(new Set(models.map((m) => m.kind)), new Set(DEVICE_KINDS), 'a model for every kind');
  t.ok(models.every((m) => m.measurements.length > 0));

  t.equal((await h.http('GET', '/api/devices', undefined, '')).status, 401, 'no token');
  t.equal((await h.http('GET', '/api/devices', undefined, 'wrong-token-wrong-token-wrong')).status, 401, 'wrong token');

  const created = await h.http('POST', '/api/devices', { id: 'cam-001', site: 'testvillage', kind: 'camera', model: 'vistaguard/vg200', name: 'Gate east', lat: 30.2, lon: 120.2 });
  t.equal(created.status, 201);
  t.match(created.json.secret, /^[A-Za-z0-9_-]{32}$/, 'a random secret, shown once');
  t.same(created.json.mqtt.publish, ['v1/testvillage/camera/cam-001/event', 'v1/testvillage/camera/cam-001/status']);
  t.notOk(JSON.stringify((await h.http('GET', '/api/devices/cam-001')).json).includes(created.json.secret), 'the secret is never shown again');
  t.notOk(JSON.stringify((await h.http('GET', '/api/devices/cam-001')).json).includes('scrypt'), 'nor its hash');

  const duplicate = await h.http('POST', '/api/devices', { id: 'cam-001', site: 'testvillage', kind: 'camera', model: 'vistaguard/vg200' });
  t.equal(duplicate.status, 409);
  t.equal(duplicate.json.code, 'GW_DEVICE_EXISTS');
  const wrongKind = await h.http('POST', '/api/devices', { id: 'cam-002', site: 'testvillage', kind: 'fire', model: 'vistaguard/vg200' });
  t.equal(wrongKind.status, 400);
  t.match(wrongKind.json.message, /is for kind camera, not fire/);
  const bad = await h.http('POST', '/api/devices', { id: 'has space', site: 'Test Village', kind: 'toaster', model: 'x' });
  t.equal(bad.status, 400);
  t.same(Object.keys(bad.json).sort(), ['code', 'error', 'message', 'statusCode'], "fastify's error shape");
  t.match(bad.json.message, /id|site|kind/);
  const junk = await fetch(`http://127.0.0.1:${h.addresses.httpPort}/api/devices`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-admin-token-0123456789abcdef', 'content-type': 'application/json' },
    body: '{"id": "x", ',
  });
  t.equal(junk.status, 400, 'malformed JSON is a 400, not a crash');

  t.equal((await h.http('GET', '/api/devices?kind=camera')).json.total, 1);
  t.equal((await h.http('POST', '/api/devices/cam-001/disable')).json.disabled, true);
  t.equal((await h.http('POST', '/api/devices/cam-001/enable')).json.disabled, false);
  const rotated = await h.http('POST', '/api/devices/cam-001/secret');
  t.not(rotated.json.secret, created.json.secret);
  await t.rejects(h.connect(created.json), /Bad username or password/, 'the old secret stops working');
  const client = await h.connect(rotated.json);
  t.ok(client.connected, 'the new one works');
  t.equal((await h.http('DELETE', '/api/devices/cam-001')).status, 204);
  t.equal((await h.http('GET', '/api/devices/cam-001')).status, 404);
});
