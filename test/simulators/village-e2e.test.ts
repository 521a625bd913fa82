import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DEVICE_KINDS } from '../../devices/model.js';
import { startInfluxd } from '../../src/tools/local-servers.js';
import { findScenario, runScenario } from '../../simulators/scenarios/index.js';
import { ensureVillageSite, startVillage } from '../../simulators/village/run.js';
import { countByKind } from '../../simulators/village/plan.js';
import { ADMIN_TOKEN, startGateway } from '../support/gateway-harness.js';
import { influxCount } from '../support/influx.js';

/**
 * A small village (scale 0.01: ~110 devices, 3 teams) against a real
 * gateway and a real InfluxDB: generated, provisioned through the HTTP API,
 * every device connected over MQTT with its own secret, ~10 s of village
 * life at ×30, then a scripted fire that a team drives to.
 */
t.test('a small village comes online, its messages land in InfluxDB, and a scripted fire brings a team', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'village-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.ok(ensureVillageSite(dir, { seed: 3, scale: 0.01 }), 'site and plan generated before the gateway starts (it needs SITE_DIR)');
  const influx = await startInfluxd();
  t.teardown(() => influx.stop());
  const gateway = await startGateway({ INFLUX_URL: influx.url, INFLUX_DB: 'village', SITE_DIR: dir });
  t.teardown(() => gateway.stop());
  const log: string[] = [];
  const village = await startVillage({
    dir,
    httpUrl: `http://127.0.0.1:${gateway.addresses.httpPort}`,
    mqttUrl: `mqtt://127.0.0.1:${gateway.addresses.mqttPort}`,
    token: ADMIN_TOKEN,
    speed: 30,
    startHour: 8,
    activity: 50,
    incidents: 0,
    control: false,
    summaryEveryMs: 5000,
    log: (line) => log.push(line),
  });
  t.teardown(() => village.stop());
  const planned = village.plan.devices.length;
  t.equal(village.provisioned?.devices.registered, planned, `${planned} devices registered through POST /api/devices`);
  t.equal(village.provisioned?.teams.registered, village.plan.teams.length, 'teams registered');
  t.ok('written' in village.provisioned!.roomCards && village.provisioned!.roomCards.written > 0, 'tenants’ cards in the room-card register');

  t.ok(await village.fleet.waitOnline(1, 30_000), 'every simulated device connected');
  const online = await pollFor(async () => {
    const total = await village.client.onlineCount(village.plan.site);
    return total === planned ? total : undefined;
  }, 20_000);
  t.equal(online, planned, 'GET /api/devices?online=true lists them all');

  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const counts = countByKind(village.plan);
  for (const kind of DEVICE_KINDS) {
    const stats = village.fleet.stats[kind];
    t.equal(stats.online, counts[kind], `${kind}: ${stats.online} online`);
    t.equal(stats.rejected, 0, `${kind}: the gateway refused none of ${stats.acked} acknowledged messages${stats.lastProblem ? ` (${stats.lastProblem})` : ''}`);
    t.equal(stats.disconnects, 0, `${kind}: no connection lost`);
  }
  t.ok(log.some((line) => /^ {2}camera +online/.test(line)), 'a summary line per kind');
  for (const [measurement, field] of [
    ['camera_health', 'fps'],
    ['camera_event', 'active'],
    ['lock_swipe', 'room'],
    ['ebike_tag_read', 'rssi'],
    ['device_status', 'online'],
    ['team_position', 'lat'],
  ] as const) {
    const count = await pollFor(async () => {
      const n = await influxCount(influx.url, 'village', measurement, field);
      return n > 0 ? n : undefined;
    }, 15_000);
    t.ok((count ?? 0) > 0, `${measurement}: ${count ?? 0} points in InfluxDB`);
  }

  const lines: string[] = [];
  const verdict = await runScenario({
    scenario: findScenario('night-fire'),
    client: village.client,
    control: village.control,
    plan: village.plan,
    seed: 1,
    keep: true,
    write: (line) => lines.push(line),
  });
  t.comment(lines.join('\n'));
  const check = (name: string) => verdict.checks.find((c) => c.name === name);
  for (const name of ['incident opened', 'team dispatched', 'second detector turned it red', 'brigade notified', 'team accepted', 'team arrived']) {
    t.ok(check(name)?.ok, `${name}: ${check(name)?.detail ?? 'not reached'}`);
  }
  const id = verdict.incidentIds[0]!;
  const detail = await village.client.incident(id);
  t.equal(detail.incident.status, 'arrived', `incident #${id} is arrived`);
  t.equal(detail.incident.severity, 'red');
  const teamId = detail.incident.teamId!;
  t.ok(detail.audit.some((a) => a.action === 'team accepted' && a.actor === `team:${teamId}`), 'the tracker accepted over MQTT');
  const tracker = village.fleet.trackers.get(teamId)!;
  // The gateway sees arrival from the position within 50 m; the crew reports it at the spot a moment later.
  await pollFor(async () => (tracker.events.some((e) => e.what === 'arrived' && e.incidentId === id) ? true : undefined), 10_000);
  t.same(
    tracker.events.filter((e) => e.incidentId === id).map((e) => e.what).filter((w) => w !== 'order'),
    ['accept', 'arrived'],
    `${teamId} accepted, drove and reported arrival (${tracker.events.find((e) => e.what === 'arrived' && e.incidentId === id)?.detail})`,
  );
  const positions = await influxCount(influx.url, 'village', 'team_position', 'lat');
  t.ok(positions > 20, `${positions} team positions in InfluxDB`);

  // Resolving sends the team back on patrol (its phone sees the incident closed).
  await village.client.resolve(id, 'test done');
  const back = await pollFor(async () => (tracker.currentMode === 'patrol' || tracker.currentMode === 'paused' ? tracker.currentMode : undefined), 10_000);
  t.ok(back, `${teamId} back on patrol after the incident was resolved`);
});

async function pollFor<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}
