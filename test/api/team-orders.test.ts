import t from 'tap';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nextMessage, startGateway, waitFor, type Harness } from '../support/gateway-harness.js';
import { registerAt, tracker, writeSite, type Tracker } from '../web/village.js';

/**
 * The patrol team's own order over HTTP (docs/team-page.md): a team account acts for its own team
 * only, sees the order its tracker got, accepts, reports arrival and resolves beside the tracker's
 * MQTT path; other roles are refused where they do not belong; trackers are told when an incident
 * they are on is closed.
 */

const TEAM_TOKEN = 'test-team-token-without-a-team-0123456789';
const PASSWORD = 'correct horse battery staple';

interface Caller {
  cookie: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
}

async function logIn(h: Harness, username: string, role: string, teamId?: string): Promise<Caller> {
  const created = await h.http('POST', '/api/accounts', { username, displayName: username, role, password: PASSWORD, ...(teamId ? { teamId } : {}) });
  assert.equal(created.status, 201, created.text);
  const base = `http://127.0.0.1:${h.addresses.httpPort}`;
  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  const session = /vsg_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
  assert.ok(session, `${username} logged in`);
  const cookie = `vsg_session=${session}`;
  return {
    cookie,
    async call(method, path, body) {
      const response = await fetch(base + path, {
        method,
        redirect: 'manual',
        headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, json };
    },
  };
}

const cmdTopic = (tr: Tracker) => `v1/testvillage/team/${tr.credentials.device.id}/cmd`;

t.test('team orders over HTTP beside the tracker', async (t) => {
  const siteDir = mkdtempSync(join(tmpdir(), 'site-'));
  t.teardown(() => rmSync(siteDir, { recursive: true, force: true }));
  writeSite(siteDir);
  const h = await startGateway({
    INFLUX_URL: 'http://127.0.0.1:9',
    SITE_DIR: siteDir,
    DISPATCH_ACK_WINDOW_MS: '60000',
    API_TOKENS: JSON.stringify([{ name: 'phone-app', role: 'team', token: TEAM_TOKEN }]),
  });
  t.teardown(() => h.stop());
  const detector = await registerAt(h, 'fire', 'fd-factory7-a', 1000, 25);
  const mill = await registerAt(h, 'fire', 'fd-mill2-a', 1500, 25);
  const east = await tracker(h, 'team-east', 'East', 1800, 0);
  const west = await tracker(h, 'team-west', 'West', 100, 0);
  for (const tr of [east, west]) await tr.client.subscribeAsync(cmdTopic(tr), { qos: 1 });
  await waitFor('the teams have positions', async () => (await h.http('GET', '/api/teams')).json.teams.every((tm: { lon: number | null }) => tm.lon !== null));

  const eastCrew = await logIn(h, 'east-crew', 'team', 'team-east');
  const westCrew = await logIn(h, 'west-crew', 'team', 'team-west');
  const operator = await logIn(h, 'duty-op', 'operator');
  const installer = await logIn(h, 'fitter', 'installer');
  const brigade = await logIn(h, 'fire-desk', 'brigade');

  await t.test('GET /api/teams/mine/order: the team and no order yet', async (t) => {
    const { status, json } = await eastCrew.call('GET', '/api/teams/mine/order');
    t.equal(status, 200);
    t.match(json, { team: { id: 'team-east', name: 'East', status: 'available', incidentId: null }, order: null, settings: { targetSeconds: 180, teamStaleAfterMs: 120_000, ackWindowSeconds: 60 } });
    t.ok(typeof json.team.lon === 'number' && typeof json.team.lat === 'number', 'with its live position');
    t.ok(Math.abs(json.serverTime - Date.now()) < 5000, 'and the gateway clock');
  });

  await t.test('the /team page and the order endpoint refuse every other role', async (t) => {
    for (const [name, caller] of [['operator', operator], ['installer', installer], ['brigade', brigade]] as const) {
      const page = await caller.call('GET', '/team');
      t.equal(page.status, 403, `${name}: /team is 403`);
      t.equal(page.json.code, 'GW_FORBIDDEN');
      const order = await caller.call('GET', '/api/teams/mine/order');
      t.equal(order.status, 403, `${name}: /api/teams/mine/order is 403`);
      t.equal(order.json.code, 'GW_FORBIDDEN');
    }
    t.equal((await h.http('GET', '/api/teams/mine/order')).status, 403, 'the admin token has no team');
    const noTeam = await h.http('GET', '/api/teams/mine/order', undefined, TEAM_TOKEN);
    t.equal(noTeam.status, 403, 'a team token without a team acts for none');
    t.match(noTeam.json.message, /belongs to no team/);
    t.equal((await h.http('GET', '/api/teams/mine/order', undefined, '')).status, 401, 'nobody: 401');
    const page = await eastCrew.call('GET', '/team');
    t.equal(page.status, 200, 'the team account opens /team');
    const anonymous = await fetch(`http://127.0.0.1:${h.addresses.httpPort}/team`, { redirect: 'manual' });
    t.equal(anonymous.status, 302);
    t.equal(anonymous.headers.get('location'), '/login?next=%2Fteam');
  });

  let incidentId = 0;
  let orderId = 0;
  let latest = 0;
  await t.test('a fire alarm over MQTT: the team sees the very order its tracker got', async (t) => {
    const fire = await h.connect(detector);
    const received = nextMessage(east.client, cmdTopic(east));
    await fire.publishAsync(`v1/testvillage/fire/${detector.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
    const message = await received;
    t.equal(message.type, 'dispatch');
    incidentId = message.incident.id;
    orderId = message.orderId;
    const { json } = await eastCrew.call('GET', '/api/teams/mine/order');
    const order = json.order;
    t.match(order, {
      orderId,
      status: 'sent',
      etaSeconds: message.etaSeconds,
      distanceM: message.distanceM,
      acceptWithinSeconds: 60,
      reason: message.reason,
      issuedAt: order.sentAt,
      incident: { ...message.incident, ruleId: 'fire-alarm', status: 'dispatched', place: 'Furniture Factory 7', zone: 'Grid 3' },
    });
    t.same(order.route, message.route, 'the same route');
    t.ok(order.route.length >= 2);
    t.equal(order.ackDeadline - order.sentAt, 60_000, 'accept deadline');
    t.ok(order.incident.openedAt <= order.sentAt, 'the alarm time for the 3-minute clock');
    t.equal(json.team.status, 'dispatched');
    t.equal((await westCrew.call('GET', '/api/teams/mine/order')).json.order, null, 'the other team has none');
    await fire.endAsync();
  });

  await t.test("team A is refused on team B's order", async (t) => {
    for (const action of ['accept', 'arrived']) {
      const named = await westCrew.call('POST', `/api/incidents/${incidentId}/${action}`, { teamId: 'team-east' });
      t.equal(named.status, 403, `${action} for another team: 403`);
      t.equal(named.json.code, 'GW_FORBIDDEN');
      t.match(named.json.message, /team-east/);
      const own = await westCrew.call('POST', `/api/incidents/${incidentId}/${action}`, {});
      t.equal(own.status, 409, `${action} for itself: it has no order on this incident`);
    }
    const resolve = await westCrew.call('POST', `/api/incidents/${incidentId}/resolve`, { note: 'not ours' });
    t.equal(resolve.status, 403, 'resolving an incident it was not sent to: 403');
    t.match(resolve.json.message, /team-west was not sent to it/);
    t.equal((await eastCrew.call('POST', `/api/incidents/${incidentId}/cancel`, { reason: 'no' })).status, 403, 'a team never cancels');
    t.equal((await h.http('POST', `/api/incidents/${incidentId}/accept`, {}, TEAM_TOKEN)).status, 403, 'a team token without a team accepts nothing');
    const unnamed = await operator.call('POST', `/api/incidents/${incidentId}/accept`, {});
    t.equal(unnamed.status, 400, 'an operator must say which team');
    t.equal(unnamed.json.code, 'GW_TEAM_REQUIRED');
    t.equal((await installer.call('POST', `/api/incidents/${incidentId}/accept`, { teamId: 'team-east' })).status, 403, 'an installer accepts nothing');
    t.equal((await brigade.call('POST', `/api/incidents/${incidentId}/resolve`, { note: 'x' })).status, 403, 'the brigade does not resolve');
    const view = (await h.http('GET', `/api/incidents/${incidentId}`)).json;
    t.equal(view.incident.status, 'dispatched', 'nothing changed');
  });

  await t.test('the team accepts on its phone (teamId omitted); the tracker saying it too changes nothing', async (t) => {
    const accepted = await eastCrew.call('POST', `/api/incidents/${incidentId}/accept`, {});
    t.equal(accepted.status, 200);
    t.equal(accepted.json.incident.status, 'accepted');
    t.equal((await eastCrew.call('POST', `/api/incidents/${incidentId}/accept`, { teamId: 'team-east' })).status, 200, 'again, naming itself: no harm');
    await east.say({ event: 'accept', incident_id: String(incidentId) });
    await h.gateway.response.idle();
    const view = (await h.http('GET', `/api/incidents/${incidentId}`)).json;
    const accepts = view.audit.filter((a: { action: string }) => a.action === 'team accepted');
    t.equal(accepts.length, 1, 'one acceptance in the audit trail');
    t.equal(accepts[0].actor, 'team:east-crew', 'by the account');
    t.equal(accepts[0].detail.teamId, 'team-east');
    t.equal((await eastCrew.call('GET', '/api/teams/mine/order')).json.order.status, 'accepted');
  });

  await t.test('arrived from the phone, then from the tracker: one arrival', async (t) => {
    const arrived = await eastCrew.call('POST', `/api/incidents/${incidentId}/arrived`, {});
    t.equal(arrived.status, 200);
    t.equal(arrived.json.incident.status, 'arrived');
    await east.say({ event: 'arrived', incident_id: String(incidentId) });
    await h.gateway.response.idle();
    const view = (await h.http('GET', `/api/incidents/${incidentId}`)).json;
    t.same(view.audit.filter((a: { action: string }) => /arrived/.test(a.action)).map((a: { actor: string }) => a.actor), ['team:east-crew']);
    const mine = (await eastCrew.call('GET', '/api/teams/mine/order')).json.order;
    t.equal(mine.status, 'arrived', 'on site, the order stays the current one until the incident is closed');
    t.ok(mine.incident.arrivedAt >= mine.sentAt);
  });

  await t.test('the team resolves with a note; its tracker is told the order is closed', async (t) => {
    const noNote = await eastCrew.call('POST', `/api/incidents/${incidentId}/resolve`, {});
    t.equal(noNote.status, 400, 'a note is required');
    const closed = nextMessage(east.client, cmdTopic(east));
    const resolved = await eastCrew.call('POST', `/api/incidents/${incidentId}/resolve`, { note: '胶水过热，无明火' });
    t.equal(resolved.status, 200);
    t.equal(resolved.json.incident.status, 'resolved');
    const message = await closed;
    t.match(message, { type: 'closed', orderId, status: 'resolved', incident: { id: incidentId }, reason: 'incident resolved' });
    t.ok(typeof message.issuedAt === 'number');
    const view = (await h.http('GET', `/api/incidents/${incidentId}`)).json;
    const entry = view.audit.find((a: { action: string }) => a.action === 'resolved');
    t.equal(entry.actor, 'team:east-crew', 'resolved by the account');
    t.equal(view.incident.note, '胶水过热，无明火');
    t.same(view.dispatches.map((d: { status: string }) => d.status), ['arrived'], 'the order keeps its outcome');
    const mine = (await eastCrew.call('GET', '/api/teams/mine/order')).json;
    t.equal(mine.order, null, 'no current order');
    t.equal(mine.team.status, 'available', 'the team is free');
    t.equal((await eastCrew.call('POST', `/api/incidents/${incidentId}/resolve`, { note: 'again' })).status, 409, 'a closed incident: 409');
  });

  await t.test('cancelled while the team is on its way: closed, with how', async (t) => {
    const fire = await h.connect(mill);
    const order = nextMessage(east.client, cmdTopic(east));
    await fire.publishAsync(`v1/testvillage/fire/${mill.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
    const dispatch = await order;
    t.equal(dispatch.type, 'dispatch');
    const id = dispatch.incident.id;
    t.equal((await eastCrew.call('GET', '/api/teams/mine/order')).json.order.incident.id, id);
    const closed = nextMessage(east.client, cmdTopic(east));
    t.equal((await operator.call('POST', `/api/incidents/${id}/cancel`, { reason: 'drill' })).status, 200);
    t.match(await closed, { type: 'closed', orderId: dispatch.orderId, status: 'cancelled', reason: 'incident cancelled' });
    const view = (await h.http('GET', `/api/incidents/${id}`)).json;
    t.same(view.dispatches.map((d: { status: string }) => d.status), ['released']);
    t.equal((await eastCrew.call('GET', '/api/teams/mine/order')).json.order, null);
    await fire.endAsync();
  });

  await t.test('an operator still accepts for a team it names (the old contract)', async (t) => {
    const fire = await h.connect(detector);
    const order = nextMessage(east.client, cmdTopic(east));
    await fire.publishAsync(`v1/testvillage/fire/${detector.device.id}/event`, JSON.stringify({ event: 'restore', sensor: 'smoke' }), { qos: 1 });
    await fire.publishAsync(`v1/testvillage/fire/${detector.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
    const dispatch = await order;
    const accepted = await h.http('POST', `/api/incidents/${dispatch.incident.id}/accept`, { teamId: 'team-east' });
    t.equal(accepted.status, 200);
    const view = (await h.http('GET', `/api/incidents/${dispatch.incident.id}`)).json;
    t.equal(view.audit.find((a: { action: string }) => a.action === 'team accepted').actor, 'admin:admin-token');
    await fire.endAsync();
    latest = dispatch.incident.id;
  });

  await t.test('closing an incident a team was on leaves the team on the next one it was sent to', async (t) => {
    t.equal((await h.http('POST', `/api/incidents/${latest}/arrived`, { teamId: 'team-east' })).status, 200, 'east on site at the factory');
    const fire = await h.connect(mill);
    const westOrder = nextMessage(west.client, cmdTopic(west));
    await fire.publishAsync(`v1/testvillage/fire/${mill.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
    const second = (await westOrder).incident.id;
    const eastOrder = nextMessage(east.client, cmdTopic(east));
    t.equal((await operator.call('POST', `/api/incidents/${second}/dispatch`, { teamId: 'team-east' })).status, 200, 'the operator sends east on from the factory');
    t.equal((await eastOrder).type, 'dispatch');
    const closed = nextMessage(east.client, cmdTopic(east));
    t.equal((await operator.call('POST', `/api/incidents/${latest}/resolve`, { note: 'done' })).status, 200);
    t.match(await closed, { type: 'closed', incident: { id: latest }, status: 'resolved' }, 'east hears the factory is closed');
    const teams = (await h.http('GET', '/api/teams')).json.teams as { id: string; incidentId: number | null }[];
    t.equal(teams.find((tm) => tm.id === 'team-east')!.incidentId, second, 'and is still on its way to the mill');
    t.equal((await eastCrew.call('GET', '/api/teams/mine/order')).json.order.incident.id, second, 'its phone shows the mill');
    await fire.endAsync();
  });
});
