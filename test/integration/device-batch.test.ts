import t from 'tap';
import mqtt from 'mqtt';
import { modelsForKind } from '../../devices/index.js';
import { MAX_BATCH_DEVICES } from '../../src/api/routes/devices.js';
import { startGateway } from '../support/gateway-harness.js';

const modelOf = (kind: 'camera' | 'fire') => {
  const model = modelsForKind(kind)[0]!;
  return `${model.vendor}/${model.model}`;
};

t.test('POST /api/devices/batch registers each device on its own and returns each secret once', async (t) => {
  const h = await startGateway();
  t.teardown(() => h.stop());
  await h.register('camera', { id: 'cam-taken' });
  const devices = [
    ...Array.from({ length: 20 }, (_, i) => ({ id: `cam-${i}`, site: 'east', kind: 'camera', model: modelOf('camera'), lon: 120.2 + i / 1000, lat: 30.2 })),
    { id: 'cam-taken', site: 'east', kind: 'camera', model: modelOf('camera') },
    { id: 'fd-wrong-kind', site: 'east', kind: 'camera', model: modelOf('fire') },
    { id: 'fd-no-model', site: 'east', kind: 'fire', model: 'acme/none' },
    { id: 'cam-0', site: 'east', kind: 'camera', model: modelOf('camera') },
  ];
  const answer = await h.http('POST', '/api/devices/batch', { devices });
  t.equal(answer.status, 200);
  const body = answer.json as { registered: number; refused: number; results: { id: string; status: number; secret?: string; code?: string; mqtt?: { username: string } }[] };
  t.equal(body.registered, 20);
  t.equal(body.refused, 4);
  t.same(body.results.map((r) => r.id), devices.map((d) => d.id), 'answers in the order sent');
  t.same(
    body.results.slice(20).map((r) => [r.status, r.code]),
    [
      [409, 'GW_DEVICE_EXISTS'],
      [400, 'GW_MODEL_KIND_MISMATCH'],
      [400, 'GW_UNKNOWN_MODEL'],
      [409, 'GW_DEVICE_EXISTS'],
    ],
    'refusals do not stop the others; the same id twice in one batch is refused the second time',
  );
  t.ok(body.results.slice(0, 20).every((r) => r.status === 201 && typeof r.secret === 'string' && r.secret.length >= 32 && r.mqtt?.username === r.id));
  t.equal(new Set(body.results.map((r) => r.secret).filter(Boolean)).size, 20, 'a secret per device');

  // The secrets work: a registered device connects with its own.
  const first = body.results[3]!;
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${h.addresses.mqttPort}`, { clientId: first.id, username: first.id, password: first.secret!, reconnectPeriod: 0 });
  t.ok(client.connected, 'a batch-registered device connects');
  await client.endAsync();
  const listed = (await h.http('GET', '/api/devices?site=east')).json as { total: number };
  t.equal(listed.total, 20);
  t.notMatch(JSON.stringify((await h.http('GET', '/api/devices/cam-3')).json), first.secret!, 'the secret is not shown again');
});

t.test('POST /api/devices/batch: admins only, bounded, validated as a whole', async (t) => {
  const h = await startGateway({ API_TOKENS: JSON.stringify([{ name: 'desk', token: 'operator-token-0123456789abcdef', role: 'operator' }]) });
  t.teardown(() => h.stop());
  const one = [{ id: 'cam-1', site: 'east', kind: 'camera', model: modelOf('camera') }];
  t.equal((await h.http('POST', '/api/devices/batch', { devices: one }, 'operator-token-0123456789abcdef')).status, 403, 'an operator may not register');
  t.equal((await h.http('POST', '/api/devices/batch', { nonsense: true }, 'operator-token-0123456789abcdef')).status, 403, 'the role is checked before the body: no hint what a valid body looks like');
  t.equal((await h.http('POST', '/api/devices', { nonsense: true }, '')).status, 401, 'nor to a stranger');
  t.equal((await h.http('POST', '/api/devices/batch', { devices: one }, '')).status, 401);
  t.equal((await h.http('POST', '/api/devices/batch', { devices: [] })).status, 400, 'empty');
  const tooMany = Array.from({ length: MAX_BATCH_DEVICES + 1 }, (_, i) => ({ id: `cam-${i}`, site: 'east', kind: 'camera', model: modelOf('camera') }));
  t.equal((await h.http('POST', '/api/devices/batch', { devices: tooMany })).status, 400, `more than ${MAX_BATCH_DEVICES}`);
  t.equal((await h.http('POST', '/api/devices/batch', { devices: [{ id: 'bad id!', site: 'east', kind: 'camera', model: modelOf('camera') }] })).status, 400, 'a malformed device id refuses the request');
  t.equal(((await h.http('GET', '/api/devices')).json as { total: number }).total, 0, 'nothing registered by refused requests');
});
