import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { startInfluxd } from '../../src/tools/local-servers.js';
import { nextMessage, startGateway, waitFor, type Credentials, type Harness } from '../support/gateway-harness.js';
import { at, registerAt } from '../web/village.js';

/**
 * A small village in metres around (120.2 E, 30.2 N): a main road along y = 0
 * (40 km/h) with the factory beside it at x = 1000, and a lane along y = 300
 * (15 km/h) joined to the main road only at its ends. Team North waits on the
 * lane 300 m from the factory in a straight line but ~1.8 km by road; Team
 * East waits on the main road 800 m away: by road it is the fastest.
 */

function writeSite(dir: string): void {
  const road = (id: string, points: [number, number][], speedKmh: number) => ({
    type: 'Feature',
    properties: { id, speedKmh },
    geometry: { type: 'LineString', coordinates: points.map(([x, y]) => at(x, y)) },
  });
  writeFileSync(
    join(dir, 'roads.geojson'),
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        road('main', [[0, 0], [500, 0], [1000, 0], [1500, 0], [2000, 0]], 40),
        road('lane', [[0, 300], [1000, 300], [2000, 300]], 15),
        road('west-link', [[0, 0], [0, 300]], 15),
        road('east-link', [[2000, 0], [2000, 300]], 15),
      ],
    }),
  );
  writeFileSync(
    join(dir, 'places.geojson'),
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name: 'Furniture Factory 7', type: 'factory' }, geometry: { type: 'Point', coordinates: at(1000, 20) } },
        { type: 'Feature', properties: { name: 'Textile Mill 2', type: 'factory' }, geometry: { type: 'Point', coordinates: at(1500, 20) } },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'zones.geojson'),
    JSON.stringify({
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { name: 'Grid 3' }, geometry: { type: 'Polygon', coordinates: [[at(-100, -100), at(2100, -100), at(2100, 400), at(-100, 400), at(-100, -100)]] } }],
    }),
  );
}

interface Tracker {
  client: MqttClient;
  credentials: Credentials;
  move(x: number, y: number): Promise<void>;
  say(payload: Record<string, unknown>): Promise<void>;
}

async function tracker(h: Harness, teamId: string, x: number, y: number): Promise<Tracker> {
  const credentials = await registerAt(h, 'team', `${teamId}-tracker`, x, y);
  const created = await h.http('POST', '/api/teams', { id: teamId, name: teamId, trackerDeviceId: credentials.device.id });
  if (created.status !== 201) throw new Error(created.text);
  const client = await h.connect(credentials);
  await client.subscribeAsync(`v1/testvillage/team/${credentials.device.id}/cmd`, { qos: 1 });
  const topic = `v1/testvillage/team/${credentials.device.id}/event`;
  const say = async (payload: Record<string, unknown>) => void (await client.publishAsync(topic, JSON.stringify(payload), { qos: 1 }));
  const move = async (px: number, py: number) => {
    const [lon, lat] = at(px, py);
    await say({ event: 'position', lat, lon, speed_kmh: 40 });
  };
  await move(x, y);
  await say({ event: 'status', status: 'available' });
  return { client, credentials, move, say };
}

t.test('fire alarm over MQTT → the fastest team by road gets the order, accepts, drives, arrives; the response is recorded', async (t) => {
  const siteDir = mkdtempSync(join(tmpdir(), 'site-'));
  t.teardown(() => rmSync(siteDir, { recursive: true, force: true }));
  writeSite(siteDir);
  const influx = await startInfluxd();
  t.teardown(() => influx.stop());
  const h = await startGateway({ INFLUX_URL: influx.url, INFLUX_DB: 'village', SITE_DIR: siteDir, DISPATCH_ACK_WINDOW_MS: '1500' });
  t.teardown(() => h.stop());

  const detector = await registerAt(h, 'fire', 'fd-factory7-a', 1000, 25);
  const north = await tracker(h, 'team-north', 1000, 300);
  const east = await tracker(h, 'team-east', 1800, 0);
  await waitFor('teams have positions', async () => (await h.http('GET', '/api/teams')).json.teams.every((tm: { lon: number | null }) => tm.lon !== null));

  const fire = await h.connect(detector);
  const orderToEast = nextMessage(east.client, `v1/testvillage/team/${east.credentials.device.id}/cmd`);
  const alarmAt = Date.now();
  await fire.publishAsync(`v1/testvillage/fire/${detector.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
  const order = await orderToEast;
  const orderMs = Date.now() - alarmAt;
  t.equal(order.type, 'dispatch', `team-east received the order ${orderMs} ms after the alarm`);
  t.equal(order.incident.place, 'Furniture Factory 7');
  t.equal(order.incident.severity, 'orange');
  t.ok(order.etaSeconds > 60 && order.etaSeconds < 90, `ETA ${order.etaSeconds} s (800 m at 40 km/h ≈ 72 s)`);
  t.ok(Array.isArray(order.route) && order.route.length >= 2, 'the order carries the route as coordinates');
  t.equal(order.acceptWithinSeconds, 2);

  const id = order.incident.id as number;
  let view = (await h.http('GET', `/api/incidents/${id}`)).json;
  t.equal(view.incident.status, 'dispatched');
  t.equal(view.incident.teamId, 'team-east', 'not team-north, nearer in a straight line but ~1.8 km by road');
  t.equal(view.dispatches[0].teamId, 'team-east');

  await east.say({ event: 'accept', incident_id: String(id) });
  await waitFor('accepted', async () => (await h.http('GET', `/api/incidents/${id}`)).json.incident.status === 'accepted');
  for (const x of [1600, 1400, 1200, 1030]) await east.move(x, 0);
  view = await waitFor('arrived', async () => {
    const v = (await h.http('GET', `/api/incidents/${id}`)).json;
    return v.incident.status === 'arrived' ? v : undefined;
  });
  t.ok(view.incident.responseSeconds >= 0 && view.incident.responseSeconds < 60, `response time ${view.incident.responseSeconds} s`);
  t.same(
    view.audit.map((a: { action: string }) => a.action),
    ['opened', 'team dispatched', 'team accepted', 'team arrived'],
    'the audit trail has every transition',
  );
  t.equal(view.audit[2].actor, 'team:team-east');

  const records = await waitFor('dispatch record in InfluxDB', async () => {
    const q = encodeURIComponent(`SELECT * FROM dispatch_response WHERE "team" = 'team-east'`);
    const body = (await (await fetch(`${influx.url}/query?db=village&q=${q}`)).json()) as { results: { series?: { columns: string[]; values: unknown[][] }[] }[] };
    return body.results[0]?.series?.[0];
  });
  const row = Object.fromEntries(records.columns.map((c, i) => [c, records.values[0]![i]]));
  t.equal(row.target_met, 'true');
  t.equal(row.zone, 'Grid 3');
  t.equal(row.incident_id, String(id));

  const resolved = await h.http('POST', `/api/incidents/${id}/resolve`, { note: 'burnt glue in the press, no fire' });
  t.equal(resolved.json.incident.status, 'resolved');
  const teams = (await h.http('GET', '/api/teams')).json.teams as { id: string; status: string }[];
  t.equal(teams.find((tm) => tm.id === 'team-east')!.status, 'available', 'the team is free again');
  t.equal((await h.http('POST', `/api/incidents/${id}/resolve`, { note: 'again' })).status, 409, 'a resolved incident cannot be resolved again');
});

t.test('no accept within the window → the next-best team is sent and the skip is recorded', async (t) => {
  const siteDir = mkdtempSync(join(tmpdir(), 'site-'));
  t.teardown(() => rmSync(siteDir, { recursive: true, force: true }));
  writeSite(siteDir);
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9', SITE_DIR: siteDir, DISPATCH_ACK_WINDOW_MS: '1000' });
  t.teardown(() => h.stop());
  const detector = await registerAt(h, 'fire', 'fd-mill2-a', 1500, 25);
  const east = await tracker(h, 'team-east', 1800, 0);
  const west = await tracker(h, 'team-west', 200, 0);
  await waitFor('teams have positions', async () => (await h.http('GET', '/api/teams')).json.teams.every((tm: { lon: number | null }) => tm.lon !== null));

  const fire = await h.connect(detector);
  const first = nextMessage(east.client, `v1/testvillage/team/${east.credentials.device.id}/cmd`);
  const second = nextMessage(west.client, `v1/testvillage/team/${west.credentials.device.id}/cmd`, 8000);
  await fire.publishAsync(`v1/testvillage/fire/${detector.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
  const order = await first;
  t.equal(order.type, 'dispatch', 'team-east (300 m) first');
  const standDown = nextMessage(east.client, `v1/testvillage/team/${east.credentials.device.id}/cmd`, 8000);
  const next = await second;
  t.equal(next.type, 'dispatch', 'team-west sent after team-east did not accept');
  t.equal((await standDown).type, 'stand-down', 'team-east is told to stand down');
  const view = (await h.http('GET', `/api/incidents/${order.incident.id}`)).json;
  const skip = view.audit.find((a: { action: string }) => a.action === 'team skipped');
  t.ok(skip, 'the skip is in the audit trail');
  t.match(skip.detail.why, /no accept within 1 s/);
  t.same(view.dispatches.map((d: { teamId: string; status: string }) => [d.teamId, d.status]), [['team-east', 'timeout'], ['team-west', 'sent']]);
  t.equal(view.incident.targetAtRisk, false, 'team-west at ~117 s is still within the target');
});

t.test('ETA over 180 s: target at risk, a second team goes too, the brigade is told (fire)', async (t) => {
  const siteDir = mkdtempSync(join(tmpdir(), 'site-'));
  t.teardown(() => rmSync(siteDir, { recursive: true, force: true }));
  writeSite(siteDir);
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9', SITE_DIR: siteDir });
  t.teardown(() => h.stop());
  const brigade: unknown[] = [];
  h.gateway.bus.on('brigade', (event) => brigade.push(event));
  const detector = await registerAt(h, 'fire', 'fd-factory7-b', 1000, 25);
  // Both teams on the lane: ~1.3–1.8 km at 15 km/h before reaching the main road: far over 180 s.
  await tracker(h, 'team-a', 1200, 300);
  await tracker(h, 'team-b', 800, 300);
  await waitFor('teams have positions', async () => (await h.http('GET', '/api/teams')).json.teams.every((tm: { lon: number | null }) => tm.lon !== null));
  const fire = await h.connect(detector);
  await fire.publishAsync(`v1/testvillage/fire/${detector.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
  const view = await waitFor('two teams sent', async () => {
    const list = (await h.http('GET', '/api/incidents')).json.incidents;
    if (!list.length) return undefined;
    const v = (await h.http('GET', `/api/incidents/${list[0].id}`)).json;
    return v.dispatches.length === 2 ? v : undefined;
  });
  t.equal(view.incident.targetAtRisk, true);
  t.equal(view.incident.status, 'escalated');
  t.ok(view.incident.brigadeNotified, 'fire: the brigade is notified at once');
  t.equal(brigade.length, 1);
  t.same(new Set(view.dispatches.map((d: { teamId: string }) => d.teamId)), new Set(['team-a', 'team-b']));
  t.ok(view.audit.some((a: { action: string }) => a.action === 'target at risk'));

  const coverage = await h.http('GET', '/api/coverage');
  t.equal(coverage.status, 200);
  t.equal(coverage.json.type, 'FeatureCollection');
  t.ok(coverage.json.properties.coveredShare >= 0 && coverage.json.properties.coveredShare < 1, `covered share ${coverage.json.properties.coveredShare} (both teams are out)`);
});

t.test('a second detector in the same place within 2 min escalates the same incident to red and tells the brigade; roles are checked', async (t) => {
  const siteDir = mkdtempSync(join(tmpdir(), 'site-'));
  t.teardown(() => rmSync(siteDir, { recursive: true, force: true }));
  writeSite(siteDir);
  const tokens = [
    { name: 'wall-1', role: 'operator', token: 'operator-token-0123456789abcdef' },
    { name: 'brigade-1', role: 'brigade', token: 'brigade-token-0123456789abcdef' },
    { name: 'tracker-app', role: 'team', token: 'team-token-0123456789abcdefgh' },
  ];
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9', SITE_DIR: siteDir, API_TOKENS: JSON.stringify(tokens) });
  t.teardown(() => h.stop());
  const brigade: unknown[] = [];
  h.gateway.bus.on('brigade', (event) => brigade.push(event));
  const a = await registerAt(h, 'fire', 'fd-f7-a', 1000, 25);
  const b = await registerAt(h, 'fire', 'fd-f7-b', 1010, 30);
  await tracker(h, 'team-east', 1800, 0);
  await waitFor('team position', async () => (await h.http('GET', '/api/teams')).json.teams[0].lon !== null);
  const [ca, cb] = [await h.connect(a), await h.connect(b)];
  await ca.publishAsync(`v1/testvillage/fire/${a.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
  const first = await waitFor('orange incident', async () => (await h.http('GET', '/api/incidents')).json.incidents[0]);
  t.equal(first.severity, 'orange');
  t.equal(brigade.length, 0, 'one detector: verify first, no brigade yet');
  await cb.publishAsync(`v1/testvillage/fire/${b.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
  const red = await waitFor('red', async () => {
    const list = (await h.http('GET', '/api/incidents')).json.incidents;
    return list[0]?.severity === 'red' ? list : undefined;
  });
  t.equal(red.length, 1, 'still one incident for Furniture Factory 7');
  t.equal(red[0].id, first.id);
  t.ok(red[0].brigadeNotified);
  t.equal(brigade.length, 1, 'the brigade is told once');
  const audit = (await h.http('GET', `/api/incidents/${first.id}`)).json.audit.map((e: { action: string }) => e.action);
  t.ok(audit.includes('severity raised') && audit.includes('brigade notified'), audit.join(', '));

  const [operator, brigadeToken, team] = tokens.map((x) => x.token);
  t.equal((await h.http('POST', '/api/devices', { id: 'x1', site: 'testvillage', kind: 'fire', model: 'emberline/d10' }, operator)).status, 403, 'operators do not register devices');
  t.equal((await h.http('POST', `/api/incidents/${first.id}/dispatch`, {}, brigadeToken)).status, 403, 'the brigade does not dispatch patrol teams');
  t.equal((await h.http('POST', `/api/incidents/${first.id}/ack`, undefined, brigadeToken)).status, 200, 'the brigade acknowledges');
  t.equal((await h.http('POST', `/api/incidents/${first.id}/resolve`, { note: 'x' }, team)).status, 403, 'a team page cannot resolve');
  t.equal((await h.http('GET', '/api/incidents', undefined, '')).status, 401, 'no token, no incidents');
  const acked = (await h.http('GET', `/api/incidents/${first.id}`, undefined, operator)).json;
  t.equal(acked.incident.acknowledgedBy, 'brigade:brigade-1', 'the acknowledgement names who');
});

t.test('two alarms at once do not get the same team while another is free; a busy team is skipped', async (t) => {
  const siteDir = mkdtempSync(join(tmpdir(), 'site-'));
  t.teardown(() => rmSync(siteDir, { recursive: true, force: true }));
  writeSite(siteDir);
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9', SITE_DIR: siteDir });
  t.teardown(() => h.stop());
  const f7 = await registerAt(h, 'fire', 'fd-f7', 1000, 25);
  const mill = await registerAt(h, 'fire', 'fd-mill', 1500, 25);
  await tracker(h, 'team-east', 1800, 0);
  await tracker(h, 'team-west', 200, 0);
  const busy = await tracker(h, 'team-busy', 1400, 0);
  await busy.say({ event: 'status', status: 'busy' });
  await waitFor('teams ready', async () => {
    const teams = (await h.http('GET', '/api/teams')).json.teams as { id: string; lon: number | null; status: string }[];
    return teams.every((tm) => tm.lon !== null) && teams.find((tm) => tm.id === 'team-busy')?.status === 'busy';
  });
  const [a, b] = [await h.connect(f7), await h.connect(mill)];
  await Promise.all([
    a.publishAsync(`v1/testvillage/fire/${f7.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 }),
    b.publishAsync(`v1/testvillage/fire/${mill.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 }),
  ]);
  const incidents = await waitFor('both dispatched', async () => {
    const list = (await h.http('GET', '/api/incidents')).json.incidents as { teamId: string | null; place: string }[];
    return list.length === 2 && list.every((i) => i.teamId !== null) ? list : undefined;
  });
  const teams = incidents.map((i) => i.teamId);
  t.not(teams[0], teams[1], `different teams: ${teams.join(' and ')}`);
  t.notOk(teams.includes('team-busy'), 'the busy team (nearest to the mill) is skipped');
});
