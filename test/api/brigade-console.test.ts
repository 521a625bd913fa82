import t from 'tap';
import { findModel } from '../../devices/index.js';
import { examplePayload, startGateway, waitFor, type Credentials, type Harness } from '../support/gateway-harness.js';

/** Positions in metres around (120.2 E, 30.2 N). */
const LON0 = 120.2;
const LAT0 = 30.2;
const at = (x: number, y: number) => ({ lon: LON0 + x / (111_320 * Math.cos((LAT0 * Math.PI) / 180)), lat: LAT0 + y / 111_320 });

const TOKENS = {
  brigade: 'brigade-token-0123456789abcdef',
  operator: 'operator-token-0123456789abcdef',
  installer: 'installer-token-0123456789abcdef',
  team: 'team-token-0123456789abcdef0123',
};

async function device(h: Harness, kind: 'camera' | 'fire' | 'lock', id: string, where?: { x: number; y: number }, site = 'testvillage'): Promise<Credentials> {
  const model = { camera: 'vistaguard/vg200', fire: 'emberline/d10', lock: 'anmen/l3' }[kind];
  const response = await h.http('POST', '/api/devices', { id, site, kind, model, name: `${kind} ${id}`, ...(where ? at(where.x, where.y) : {}) });
  if (response.status !== 201) throw new Error(response.text);
  return response.json as Credentials;
}

const nearby = (h: Harness, id: number, query = '', token?: string) => h.http('GET', `/api/incidents/${id}/nearby-cameras${query}`, undefined, token);

t.test('GET /api/incidents/:id/nearby-cameras on a real gateway', async (t) => {
  const h = await startGateway({
    INFLUX_URL: 'http://127.0.0.1:9',
    API_TOKENS: JSON.stringify(Object.entries(TOKENS).map(([role, token]) => ({ name: `${role}-tool`, role, token }))),
  });
  t.teardown(() => h.stop());

  const detector = await device(h, 'fire', 'fd-origin', { x: 0, y: 0 });
  const camA = await device(h, 'camera', 'cam-a', { x: 30, y: 0 });
  await device(h, 'camera', 'cam-b', { x: 0, y: 80 });
  const camC = await device(h, 'camera', 'cam-c', { x: -150, y: 0 });
  await device(h, 'camera', 'cam-d', { x: 400, y: 0 });
  await device(h, 'camera', 'cam-e', { x: 1000, y: 0 });
  await device(h, 'camera', 'cam-f', { x: 2000, y: 0 });
  await device(h, 'camera', 'cam-nowhere');
  await device(h, 'camera', 'cam-elsewhere', { x: 10, y: 0 }, 'othervillage');
  await device(h, 'lock', 'lock-next-door', { x: 5, y: 0 });
  t.equal((await h.http('POST', '/api/devices/cam-d/disable')).status, 200);

  const camera = findModel('vistaguard/vg200')!;
  const a = await h.connect(camA);
  await a.publishAsync(`v1/testvillage/camera/cam-a/status`, examplePayload(camera, 'status'), { qos: 1 });
  const c = await h.connect(camC);
  await c.publishAsync(`v1/testvillage/camera/cam-c/status`, examplePayload(camera, 'status'), { qos: 1 });
  await c.publishAsync(`v1/testvillage/camera/cam-c/event`, JSON.stringify({ event: 'tamper' }), { qos: 1 });
  const tamper = await waitFor('the tamper incident', async () =>
    (await h.http('GET', '/api/incidents?open=true')).json.incidents.find((i: { deviceId: string }) => i.deviceId === 'cam-c'),
  );

  const fire = await h.connect(detector);
  await fire.publishAsync('v1/testvillage/fire/fd-origin/event', JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
  const incident = await waitFor('the fire incident', async () =>
    (await h.http('GET', '/api/incidents?open=true&kind=fire')).json.incidents.find((i: { deviceId: string }) => i.deviceId === 'fd-origin'),
  );

  await t.test('nearest first, same site, with a position, cameras only; five by default', async (t) => {
    const response = await nearby(h, incident.id, '', TOKENS.brigade);
    t.equal(response.status, 200, response.text);
    const body = response.json;
    t.equal(body.incidentId, incident.id);
    t.match(body.origin, { lon: Number, lat: Number });
    t.ok(Math.abs(body.origin.lon - LON0) < 1e-9 && Math.abs(body.origin.lat - LAT0) < 1e-9, 'measured from the incident');
    t.equal(body.candidates, 6, 'the six cameras of this site with a position');
    t.same(body.cameras.map((cam: { id: string }) => cam.id), ['cam-a', 'cam-b', 'cam-c', 'cam-d', 'cam-e']);
    const distances = body.cameras.map((cam: { distanceM: number }) => cam.distanceM);
    for (const [i, expected] of [30, 80, 150, 400, 1000].entries()) t.ok(Math.abs(distances[i] - expected) <= 1, `${body.cameras[i].id}: ${distances[i]} m ≈ ${expected} m`);
    const limited = await nearby(h, incident.id, '?limit=2', TOKENS.brigade);
    t.same(limited.json.cameras.map((cam: { id: string }) => cam.id), ['cam-a', 'cam-b'], '?limit=2');
    const all = await nearby(h, incident.id, '?limit=50', TOKENS.brigade);
    t.same(all.json.cameras.map((cam: { id: string }) => cam.id), ['cam-a', 'cam-b', 'cam-c', 'cam-d', 'cam-e', 'cam-f']);
  });

  await t.test('health as the wall shows it: online, offline, alarm (named by an open incident), disabled', async (t) => {
    const body = (await nearby(h, incident.id, '', TOKENS.brigade)).json;
    const byId = Object.fromEntries(body.cameras.map((cam: { id: string }) => [cam.id, cam]));
    t.match(byId['cam-a'], { state: 'online', online: true, disabled: false, lastSeenAt: Number, incidentIds: [] });
    t.ok(Math.abs(byId['cam-a'].lastSeenAt - Date.now()) < 60_000, 'last seen just now');
    t.match(byId['cam-b'], { state: 'offline', online: false, lastSeenAt: null, name: 'camera cam-b' });
    t.match(byId['cam-c'], { state: 'alarm', online: true, incidentIds: [tamper.id] });
    t.match(byId['cam-d'], { state: 'offline', disabled: true });

    await c.endAsync(true);
    await waitFor('cam-c offline', async () => (await h.http('GET', '/api/devices/cam-c')).json.online === false);
    const later = (await nearby(h, incident.id, '', TOKENS.brigade)).json.cameras.find((cam: { id: string }) => cam.id === 'cam-c');
    t.match(later, { state: 'alarm', online: false, offlineReason: String }, 'still an alarm while its incident is open, and offline');

    t.equal((await h.http('POST', `/api/incidents/${tamper.id}/resolve`, { note: 'lens cleaned' })).status, 200);
    const resolved = (await nearby(h, incident.id, '', TOKENS.brigade)).json.cameras.find((cam: { id: string }) => cam.id === 'cam-c');
    t.match(resolved, { state: 'offline', incidentIds: [] }, 'the incident closed: no longer an alarm');
  });

  await t.test('an incident without a position has no nearby cameras', async (t) => {
    const lost = await device(h, 'fire', 'fd-nowhere');
    const client = await h.connect(lost);
    await client.publishAsync('v1/testvillage/fire/fd-nowhere/event', JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
    const unplaced = await waitFor('the unplaced incident', async () =>
      (await h.http('GET', '/api/incidents?open=true&kind=fire')).json.incidents.find((i: { deviceId: string }) => i.deviceId === 'fd-nowhere'),
    );
    const body = (await nearby(h, unplaced.id, '', TOKENS.brigade)).json;
    t.same(body, { incidentId: unplaced.id, origin: null, candidates: 6, cameras: [] });
  });

  await t.test('roles: brigade, operator, admin; not installer, team or nobody', async (t) => {
    t.equal((await nearby(h, incident.id, '', TOKENS.operator)).status, 200, 'operator');
    t.equal((await nearby(h, incident.id)).status, 200, 'admin (token)');
    for (const role of ['installer', 'team'] as const) {
      const refused = await nearby(h, incident.id, '', TOKENS[role]);
      t.equal(refused.status, 403, role);
      t.equal(refused.json.code, 'GW_FORBIDDEN');
    }
    const anonymous = await nearby(h, incident.id, '', '');
    t.equal(anonymous.status, 401, 'no credentials');
  });

  await t.test("the brigade reads only the incidents its console shows: a lock incident is 404 to it, listed for operators", async (t) => {
    const lock = await device(h, 'lock', 'lock-3-201', { x: 20, y: 20 });
    const client = await h.connect(lock);
    await client.publishAsync('v1/testvillage/lock/lock-3-201/event', JSON.stringify({ room: '3-201', card: '330106199001011234', result: 'granted', method: 'idcard' }), { qos: 1 });
    const lockIncident = await waitFor('the unregistered-card incident', async () =>
      (await h.http('GET', '/api/incidents?open=true&kind=lock', undefined, TOKENS.operator)).json.incidents.find((i: { deviceId: string }) => i.deviceId === 'lock-3-201'),
    );
    const brigadeList = (await h.http('GET', '/api/incidents?open=true', undefined, TOKENS.brigade)).json.incidents as { id: number; kind: string }[];
    t.notOk(brigadeList.some((i) => i.id === lockIncident.id), 'not in the brigade list');
    t.ok(brigadeList.some((i) => i.id === incident.id), 'the fire incident is');
    for (const [method, path] of [
      ['GET', `/api/incidents/${lockIncident.id}`],
      ['GET', `/api/incidents/${lockIncident.id}/nearby-cameras`],
      ['POST', `/api/incidents/${lockIncident.id}/ack`],
    ] as const) {
      const refused = await h.http(method, path, method === 'POST' ? {} : undefined, TOKENS.brigade);
      t.equal(refused.status, 404, `${method} ${path} → 404 for the brigade`);
      t.equal(refused.json.code, 'GW_INCIDENT_NOT_FOUND');
    }
    t.equal((await h.http('GET', `/api/incidents/${lockIncident.id}`, undefined, TOKENS.operator)).status, 200, 'the operator reads it');
    t.equal((await h.http('GET', `/api/incidents/${incident.id}`, undefined, TOKENS.brigade)).status, 200, 'the brigade reads the fire incident');
    await client.endAsync();
  });

  await t.test('unknown incident 404, bad limit 400', async (t) => {
    const missing = await nearby(h, 999_999, '', TOKENS.brigade);
    t.equal(missing.status, 404);
    t.equal(missing.json.code, 'GW_INCIDENT_NOT_FOUND');
    t.equal((await nearby(h, incident.id, '?limit=0', TOKENS.brigade)).status, 400);
    t.equal((await nearby(h, incident.id, '?limit=51', TOKENS.brigade)).status, 400);
    t.equal((await nearby(h, incident.id, '?radius=3', TOKENS.brigade)).status, 400, 'unknown parameters are refused');
  });
});
