import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.js';
import { at, registerAt } from '../web/village.js';

/** Two zones side by side (metres, `at` from the test village): Grid A west of x = 1000 m, Grid B east of it, a road through both. */

const TOKENS = {
  operator: { name: 'wall-1', role: 'operator', token: 'operator-token-0123456789abcdef' },
  brigade: { name: 'brigade-1', role: 'brigade', token: 'brigade-token-0123456789abcdef' },
  installer: { name: 'installer-1', role: 'installer', token: 'installer-token-0123456789abcdef' },
  team: { name: 'team-1', role: 'team', token: 'team-token-0123456789abcdef0123' },
} as const;

function writeSite(dir: string): void {
  const zone = (id: string, name: string, x0: number, x1: number) => ({
    type: 'Feature',
    properties: { id, name },
    geometry: { type: 'Polygon', coordinates: [[at(x0, -200), at(x1, -200), at(x1, 200), at(x0, 200), at(x0, -200)]] },
  });
  writeFileSync(
    join(dir, 'roads.geojson'),
    JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'main', speedKmh: 40 }, geometry: { type: 'LineString', coordinates: [at(0, 0), at(1000, 0), at(2000, 0)] } }] }),
  );
  writeFileSync(join(dir, 'places.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [] }));
  writeFileSync(join(dir, 'zones.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [zone('grid-a', 'Grid A', 0, 1000), zone('grid-b', 'Grid B', 1000, 2000)] }));
}

interface IncidentRow {
  id: number;
  ruleId: string;
  zone: string | null;
  deviceId: string;
  status: string;
}

t.test('a maintenance window on a zone: its cameras going dark raise nothing, alarms still do, and what is still dark at its end is reported', async (t) => {
  const siteDir = mkdtempSync(join(tmpdir(), 'site-'));
  t.teardown(() => rmSync(siteDir, { recursive: true, force: true }));
  writeSite(siteDir);
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9', SITE_DIR: siteDir, API_TOKENS: JSON.stringify(Object.values(TOKENS)) });
  t.teardown(() => h.stop());
  const incidents = async () => (await h.http('GET', '/api/incidents')).json.incidents as IncidentRow[];

  const cameras: Record<string, MqttClient> = {};
  for (const [id, x] of [['cam-a1', 100], ['cam-a2', 300], ['cam-a3', 500], ['cam-b1', 1200], ['cam-b2', 1400], ['cam-b3', 1600]] as const) {
    cameras[id] = await h.connect(await registerAt(h, 'camera', id, x, 50));
  }
  const detector = await registerAt(h, 'fire', 'fd-a1', 400, 50);
  const fire = await h.connect(detector);
  await waitFor('devices online', () => h.gateway.registry.list({ online: true }).length === 7);

  const windowAt = Date.now();
  const created = await h.http('POST', '/api/maintenance', { site: 'testvillage', scope: 'zone', target: 'grid-a', reason: 'replacing the cameras of Grid A', endsAt: windowAt + 3_600_000 }, TOKENS.operator.token);
  t.equal(created.status, 201, created.text);
  t.match(created.json, { scope: 'zone', target: 'grid-a', status: 'active', createdBy: 'wall-1', endedAt: null });
  const id = created.json.id as number;

  const goDark = async (ids: string[]) => {
    await Promise.all(ids.map((c) => cameras[c]!.endAsync(true)));
    await waitFor(`${ids.join(', ')} offline`, () => ids.every((c) => h.gateway.registry.get(c)?.online === false));
  };

  await goDark(['cam-a1', 'cam-a2', 'cam-a3']);
  t.equal(h.gateway.registry.get('cam-a1')?.offlineReason, 'disconnected', 'availability itself is unchanged: the camera is offline');
  await goDark(['cam-b1', 'cam-b2', 'cam-b3']);
  const darkB = await waitFor('cameras dark in Grid B', async () => (await incidents()).find((i) => i.ruleId === 'cameras-dark-in-zone' && i.zone === 'Grid B'));
  await h.gateway.response.idle();
  const detail = (await h.http('GET', `/api/incidents/${darkB.id}`)).json;
  t.ok(detail.audit.some((a: { actor: string }) => a.actor === 'dispatcher'), 'the zone outside maintenance gets its incident and the dispatcher looks for a team (none in this test)');
  await h.gateway.response.idle();
  t.same((await incidents()).filter((i) => i.zone === 'Grid A'), [], 'the zone under maintenance: no incident, so no dispatch');

  await fire.publishAsync(`v1/testvillage/fire/${detector.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
  const alarm = await waitFor('fire alarm under maintenance', async () => (await incidents()).find((i) => i.ruleId === 'fire-alarm'));
  t.equal(alarm.deviceId, 'fd-a1', 'maintenance never silences an alarm');

  const listed = await h.http('GET', '/api/maintenance', undefined, TOKENS.brigade.token);
  t.equal(listed.status, 200);
  t.same(listed.json.windows.map((w: { id: number; status: string }) => [w.id, w.status]), [[id, 'active']]);

  const ended = await h.http('POST', `/api/maintenance/${id}/end`, undefined, TOKENS.operator.token);
  t.equal(ended.status, 200, ended.text);
  t.equal(ended.json.status, 'ended');
  t.equal(ended.json.endedBy, 'wall-1');
  const darkA = await waitFor('cameras still dark at the end of the window', async () => (await incidents()).find((i) => i.ruleId === 'cameras-dark-in-zone' && i.zone === 'Grid A'));
  t.ok(darkA, 'the cameras that never came back are reported when the window ends');
  t.equal((await h.http('POST', `/api/maintenance/${id}/end`, undefined, TOKENS.operator.token)).json.code, 'GW_MAINTENANCE_ENDED');
  t.equal((await h.http('POST', '/api/maintenance/999/end')).status, 404);

  const trail = (await h.http('GET', `/api/audit?subject=maintenance-window&subjectId=${id}`)).json.entries as { actor: string; action: string; detail: { scope: string; target: string } }[];
  t.same(trail.map((e) => [e.action, e.actor]), [['end', 'wall-1'], ['create', 'wall-1']], 'planning and ending are in the configuration audit, newest first');
  t.match(trail[1]!.detail, { scope: 'zone', target: 'grid-a' });
});

t.test('maintenance API: roles and input', async (t) => {
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9', API_TOKENS: JSON.stringify(Object.values(TOKENS)) });
  t.teardown(() => h.stop());
  const camera = await h.register('camera', { id: 'cam-1' });
  const body = { site: 'testvillage', scope: 'device', target: camera.device.id, reason: 'lens replacement', endsAt: Date.now() + 3_600_000 };

  for (const role of ['installer', 'team'] as const) {
    t.equal((await h.http('POST', '/api/maintenance', body, TOKENS[role].token)).status, 403, `${role} may not plan maintenance`);
    t.equal((await h.http('GET', '/api/maintenance', undefined, TOKENS[role].token)).status, 403, `${role} may not read it`);
    t.equal((await h.http('POST', '/api/maintenance/1/end', undefined, TOKENS[role].token)).status, 403, `${role} may not end it`);
  }
  t.equal((await h.http('POST', '/api/maintenance', body, '')).status, 401, 'no credentials');
  t.equal((await h.http('GET', '/api/maintenance', undefined, '')).status, 401);
  t.equal((await h.http('POST', '/api/maintenance', body, TOKENS.brigade.token)).status, 403, 'the brigade reads only');

  const created = await h.http('POST', '/api/maintenance', body);
  t.equal(created.status, 201, 'admin plans');
  t.equal((await h.http('GET', '/api/maintenance', undefined, TOKENS.operator.token)).json.windows.length, 1);

  const zoneWithoutMap = await h.http('POST', '/api/maintenance', { ...body, scope: 'zone', target: 'grid-a' });
  t.equal(zoneWithoutMap.status, 400);
  t.equal(zoneWithoutMap.json.code, 'GW_MAINTENANCE_INVALID');
  t.match(zoneWithoutMap.json.message, /target/);
  t.equal((await h.http('POST', '/api/maintenance', { ...body, reason: 'x'.repeat(201) })).status, 400);
  t.equal((await h.http('POST', '/api/maintenance', { ...body, endsAt: Date.now() + 8 * 24 * 3_600_000 })).json.code, 'GW_MAINTENANCE_INVALID');
  t.equal((await h.http('POST', '/api/maintenance', { ...body, scope: 'everything' })).status, 400);
});
