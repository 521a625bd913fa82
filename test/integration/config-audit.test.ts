import t from 'tap';
import mqtt from 'mqtt';
import { startGateway, waitFor } from '../support/gateway-harness.js';

const TOKENS = {
  desk: { name: 'office-desk', role: 'admin', token: 'office-desk-token-0123456789abcdef' },
  night: { name: 'night-admin', role: 'admin', token: 'night-admin-token-0123456789abcdef' },
  operator: { name: 'duty-op', role: 'operator', token: 'operator-token-0123456789abcdef' },
  installer: { name: 'fitter-li', role: 'installer', token: 'installer-token-0123456789abcdef' },
  brigade: { name: 'fire-desk', role: 'brigade', token: 'brigade-token-0123456789abcdef' },
  team: { name: 'team-phone', role: 'team', token: 'team-token-0123456789abcdefgh' },
} as const;

interface Entry {
  id: number;
  at: number;
  actor: string;
  subject: string;
  subjectId: string;
  action: string;
  detail: Record<string, unknown>;
}

t.test('the configuration audit: who changed devices, teams and brigade subscriptions, never a secret', async (t) => {
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9', API_TOKENS: JSON.stringify(Object.values(TOKENS)) });
  t.teardown(() => h.stop());
  const as = (who: keyof typeof TOKENS) => (method: string, path: string, body?: unknown) => h.http(method, path, body, TOKENS[who].token);
  const desk = as('desk');
  const night = as('night');
  const audit = async (query: string) => {
    const answer = await h.http('GET', `/api/audit${query}`);
    t.equal(answer.status, 200, `GET /api/audit${query}`);
    return { entries: answer.json.entries as Entry[], text: answer.text };
  };
  const started = Date.now();

  // A smoke detector in the furniture factory: registered, disabled, enabled, re-keyed, deleted, by two admins.
  const created = await desk('POST', '/api/devices', { id: 'fd-furniture-1', site: 'testvillage', kind: 'fire', model: 'emberline/d10', name: 'Furniture factory, hall 2' });
  t.equal(created.status, 201);
  t.equal((await night('POST', '/api/devices/fd-furniture-1/disable')).json.disabled, true);
  t.equal((await desk('POST', '/api/devices/fd-furniture-1/enable')).json.disabled, false);
  const rotated = await desk('POST', '/api/devices/fd-furniture-1/secret');
  t.equal(rotated.status, 200);
  t.equal((await night('DELETE', '/api/devices/fd-furniture-1')).status, 204);
  t.equal((await desk('DELETE', '/api/devices/fd-furniture-1')).status, 404, 'a refused change…');
  t.equal((await as('operator')('POST', '/api/devices/fd-furniture-1/disable')).status, 403, '…and a forbidden one');

  const device = await audit('?subject=device&subjectId=fd-furniture-1');
  t.same(
    device.entries.map((e) => [e.action, e.actor]),
    [
      ['delete', 'night-admin'],
      ['rotate-secret', 'office-desk'],
      ['enable', 'office-desk'],
      ['disable', 'night-admin'],
      ['register', 'office-desk'],
    ],
    'newest first, each with who did it; refused and forbidden attempts are not changes',
  );
  t.ok(device.entries.every((e) => e.subject === 'device' && e.subjectId === 'fd-furniture-1' && e.at >= started && e.at <= Date.now()));
  t.same(device.entries[4]!.detail, { site: 'testvillage', kind: 'fire', model: 'emberline/d10', name: 'Furniture factory, hall 2' });
  t.same(device.entries[0]!.detail, device.entries[4]!.detail, 'a deleted device is still named in its last entry');
  t.ok(device.entries.every((e, i, all) => i === 0 || all[i - 1]!.id > e.id));
  for (const secret of [created.json.secret as string, rotated.json.secret as string]) t.notOk(device.text.includes(secret), 'no device secret in the audit');
  t.notMatch(device.text, /scrypt|secretHash|"secret"/, 'nor its hash');

  // Batch: each device registered is an entry; the one refused is not.
  const batch = await desk('POST', '/api/devices/batch', {
    devices: [
      { id: 'cam-street-1', site: 'testvillage', kind: 'camera', model: 'vistaguard/vg200' },
      { id: 'cam-street-2', site: 'testvillage', kind: 'camera', model: 'vistaguard/vg200' },
      { id: 'cam-street-3', site: 'testvillage', kind: 'camera', model: 'no/such-model' },
    ],
  });
  t.match(batch.json, { registered: 2, refused: 1 });
  const cameras = await audit('?subject=device&limit=500');
  t.same(new Set(cameras.entries.filter((e) => e.action === 'register' && e.subjectId.startsWith('cam-street-')).map((e) => `${e.subjectId} ${e.actor}`)), new Set(['cam-street-1 office-desk', 'cam-street-2 office-desk']));
  for (const result of batch.json.results as { secret?: string }[]) if (result.secret) t.notOk(cameras.text.includes(result.secret), 'no batch secret either');

  // A patrol team registered and deleted.
  t.equal((await desk('POST', '/api/devices', { id: 'trk-west', site: 'testvillage', kind: 'team', model: 'patrolink/t1' })).status, 201);
  t.equal((await night('POST', '/api/teams', { id: 'team-west', name: 'West patrol', trackerDeviceId: 'trk-west' })).status, 201);
  t.equal((await desk('DELETE', '/api/teams/team-west')).status, 204);
  t.same(
    (await audit('?subject=team&subjectId=team-west')).entries.map((e) => [e.action, e.actor, e.detail]),
    [
      ['delete', 'office-desk', { name: 'West patrol', trackerDeviceId: 'trk-west' }],
      ['register', 'night-admin', { name: 'West patrol', trackerDeviceId: 'trk-west' }],
    ],
  );

  // A brigade webhook created, changed, re-keyed and deleted: the URL without its query, never the secret.
  const hook = await desk('POST', '/api/brigade/subscriptions', { name: 'District brigade', url: 'http://127.0.0.1:18080/hook?token=query-token-123', secret: 'given-signing-secret-0123456789' });
  t.equal(hook.status, 201);
  const id = hook.json.subscription.id as string;
  t.equal((await night('PATCH', `/api/brigade/subscriptions/${id}`, { enabled: false, url: 'https://brigade.example/in?key=other-token-456' })).status, 200);
  const rekeyed = await desk('POST', `/api/brigade/subscriptions/${id}/secret`);
  t.equal(rekeyed.status, 200);
  t.equal((await night('DELETE', `/api/brigade/subscriptions/${id}`)).status, 204);
  const brigade = await audit(`?subject=brigade-subscription&subjectId=${id}`);
  t.same(
    brigade.entries.map((e) => [e.action, e.actor, e.detail]),
    [
      ['delete', 'night-admin', { name: 'District brigade', url: 'https://brigade.example/in' }],
      ['rotate-secret', 'office-desk', { name: 'District brigade' }],
      ['update', 'night-admin', { name: 'District brigade', url: 'https://brigade.example/in', enabled: false }],
      ['create', 'office-desk', { name: 'District brigade', url: 'http://127.0.0.1:18080/hook', severities: 'red,orange', kinds: 'fire', enabled: true }],
    ],
  );
  for (const secret of ['given-signing-secret-0123456789', rekeyed.json.secret as string, 'query-token-123', 'other-token-456']) t.notOk(brigade.text.includes(secret), 'no webhook secret or token in the audit');

  // An installer claims a smoke detector with a sticker and commissions it after its test event.
  const codes = await desk('POST', '/api/pairing/claim-codes', { site: 'testvillage', kind: 'fire', count: 1 });
  t.equal(codes.status, 201);
  const installer = as('installer');
  const claim = await installer('POST', '/api/pairing/claim', { code: codes.json.codes[0].code, model: 'emberline/d10', lon: 120.21, lat: 30.2, name: 'School kitchen' });
  t.equal(claim.status, 201);
  const { config } = claim.json as { config: { host: string; port: number; clientId: string; username: string; password: string; topicPrefix: string } };
  const detector = await mqtt.connectAsync(`mqtt://127.0.0.1:${h.addresses.mqttPort}`, { clientId: config.clientId, username: config.username, password: config.password, reconnectPeriod: 0 });
  t.teardown(() => detector.endAsync(true).catch(() => undefined));
  await detector.publishAsync(`${config.topicPrefix}/event`, JSON.stringify({ event: 'test', sensor: 'smoke' }), { qos: 1 });
  const deviceId = claim.json.device.id as string;
  await waitFor('the test event', async () => (await installer('GET', `/api/pairing/devices/${deviceId}`)).json.state === 'test-received');
  t.equal((await installer('POST', `/api/pairing/devices/${deviceId}/commission`)).status, 200);
  t.equal((await installer('POST', `/api/pairing/devices/${deviceId}/commission`)).status, 200, 'confirmed twice…');
  const paired = await audit(`?subject=device&subjectId=${deviceId}`);
  t.same(
    paired.entries.map((e) => [e.action, e.actor]),
    [
      ['commission', 'fitter-li'],
      ['claim', 'fitter-li'],
    ],
    '…one commissioning',
  );
  t.match(paired.entries[1]!.detail, { site: 'testvillage', kind: 'fire', model: 'emberline/d10', name: 'School kitchen', code: codes.json.codes[0].code });
  t.notOk(paired.text.includes(config.password), 'no claimed device secret');

  // Everything, newest first, paged with beforeId.
  const all = await audit('?limit=500');
  t.equal(all.entries.length, 5 + 2 + 1 + 2 + 4 + 2, 'every change: device, batch, tracker, team, webhook, pairing');
  const first = await audit('?limit=3');
  const next = await audit(`?limit=3&beforeId=${first.entries[2]!.id}`);
  t.same([...first.entries, ...next.entries].map((e) => e.id), all.entries.slice(0, 6).map((e) => e.id), 'pages follow on');
  t.equal((await h.http('GET', '/api/audit?limit=501')).status, 400, 'at most 500 at once');
  t.equal((await h.http('GET', '/api/audit?subject=toaster')).status, 400);

  // Admins only.
  for (const who of ['operator', 'installer', 'brigade', 'team'] as const) {
    const refused = await as(who)('GET', '/api/audit');
    t.equal(refused.status, 403, `${who}: 403`);
    t.equal(refused.json.code, 'GW_FORBIDDEN');
  }
  t.equal((await h.http('GET', '/api/audit', undefined, '')).status, 401, 'no credentials: 401');
  t.equal((await h.http('GET', '/api/audit', undefined, 'wrong-token-wrong-token-wrong')).status, 401, 'wrong token: 401');

  const docs = await h.http('GET', '/docs/json', undefined, '');
  t.ok(docs.json.paths['/api/audit'].get.responses['200'], 'in the OpenAPI document');
});
