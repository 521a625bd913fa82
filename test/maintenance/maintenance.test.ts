import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Maintenance, MaintenanceInputError, type MaintenanceChange } from '../../src/maintenance/maintenance.js';
import { DeviceRegistry, type Device } from '../../src/registry/device-registry.js';
import { GATEWAY_MIGRATIONS } from '../../src/registry/schema.js';
import { RuleRunner } from '../../src/rules/rule-runner.js';
import type { RuleAction } from '../../src/rules/types.js';
import { DeviceLocator } from '../../src/site/device-locator.js';
import type { Site } from '../../src/site/site.js';
import { migrate, openDatabase } from '../../src/store/sqlite.js';
import { RuleEngine } from '../../src/rules/engine.js';
import { defaultRules, heartbeatSeconds } from '../rules/fixture.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);

/** Two square zones side by side: North (x 0..1, lon 120.0..120.01) and South (lon 120.01..120.02). */
const square = (lon0: number): [number, number][][] => [[[lon0, 30], [lon0 + 0.01, 30], [lon0 + 0.01, 30.01], [lon0, 30.01], [lon0, 30]]];
const SITE: Site = {
  roads: [],
  places: [],
  zones: [
    { id: 'z-north', index: 0, name: 'North', polygons: [square(120.0)] },
    { id: 'z-south', index: 1, name: 'South', polygons: [square(120.01)] },
  ],
};

function fixture(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'maintenance-'));
  const db = openDatabase(join(dir, 'gateway.db'));
  migrate(db, GATEWAY_MIGRATIONS);
  t.teardown(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const registry = new DeviceRegistry(db);
  const locator = new DeviceLocator();
  locator.useSite(SITE);
  const clock = { now: T0 };
  const add = (id: string, kind: Device['kind'], lon: number, site = 'village') => registry.register({ id, site, kind, model: kind === 'fire' ? 'emberline/d10' : 'vistaguard/vg200', lon, lat: 30.005 }, 'x', T0);
  add('cam-n1', 'camera', 120.005);
  add('cam-n2', 'camera', 120.006);
  add('cam-s1', 'camera', 120.015);
  add('fd-n1', 'fire', 120.004);
  add('cam-other', 'camera', 120.005, 'othervillage');
  const maintenance = new Maintenance({
    db,
    devices: registry,
    zoneOf: (device) => locator.locate(device).zone,
    zones: () => SITE.zones,
    now: () => clock.now,
    timer: false,
  });
  const changes: MaintenanceChange[] = [];
  maintenance.onChange((change) => changes.push(change));
  const device = (id: string) => registry.get(id)!;
  return { db, registry, locator, clock, maintenance, changes, device };
}

t.test('covers: device, zone and site windows, only between start and end', async (t) => {
  const { maintenance, clock, device } = fixture(t);
  const zone = maintenance.create({ site: 'village', scope: 'zone', target: 'z-north', reason: 'replacing cameras', endsAt: T0 + HOUR }, 'op');
  t.equal(zone.status, 'active');
  t.equal(maintenance.covers(device('cam-n1'))?.id, zone.id);
  t.equal(maintenance.covers(device('fd-n1'))?.id, zone.id, 'every device standing in the zone');
  t.equal(maintenance.covers(device('cam-s1')), undefined, 'not the next zone');
  t.equal(maintenance.covers(device('cam-other')), undefined, 'not another site');

  const one = maintenance.create({ site: 'village', scope: 'device', target: 'cam-s1', reason: 'lens', startsAt: T0 + 2 * HOUR, endsAt: T0 + 3 * HOUR }, 'op');
  t.equal(one.status, 'upcoming');
  t.equal(maintenance.covers(device('cam-s1')), undefined, 'not before its start');
  t.equal(maintenance.covers(device('cam-s1'), T0 + 2 * HOUR)?.id, one.id, 'from its start');
  t.equal(maintenance.covers(device('cam-s1'), T0 + 3 * HOUR), undefined, 'not from its end');

  const whole = maintenance.create({ site: 'othervillage', scope: 'site', reason: 'grid company power cut', endsAt: T0 + 30 * MINUTE }, 'admin');
  t.equal(maintenance.covers(device('cam-other'))?.id, whole.id);
  clock.now = T0 + 45 * MINUTE;
  t.equal(maintenance.covers(device('cam-other')), undefined, 'over at its end');
  t.equal(maintenance.covers(device('cam-n1'))?.id, zone.id);
});

t.test('refresh tells listeners which windows started and ended; ending early is an end', async (t) => {
  const { maintenance, clock, changes, device } = fixture(t);
  const later = maintenance.create({ site: 'village', scope: 'zone', target: 'North', reason: 'zone by name is stored by id', startsAt: T0 + 10 * MINUTE, endsAt: T0 + HOUR }, 'op');
  t.equal(later.target, 'z-north');
  t.same(changes, [], 'nothing covers yet');
  clock.now = T0 + 10 * MINUTE;
  maintenance.refresh();
  t.same(changes.map((c) => [c.started.map((w) => w.id), c.ended.map((w) => w.id)]), [[[later.id], []]]);
  t.same(maintenance.activeWindows().map((w) => w.id), [later.id]);
  t.same(maintenance.devicesIn(later).map((d) => d.id).sort(), ['cam-n1', 'cam-n2', 'fd-n1']);

  clock.now = T0 + 20 * MINUTE;
  const ended = maintenance.end(later.id, 'op2')!;
  t.equal(ended.status, 'ended');
  t.equal(ended.endedBy, 'op2');
  t.equal(ended.endedAt, T0 + 20 * MINUTE);
  t.same(changes[1]?.ended.map((w) => w.id), [later.id]);
  t.equal(maintenance.covers(device('cam-n1')), undefined);
  t.throws(() => maintenance.end(later.id, 'op'), { name: 'MaintenanceAlreadyEnded' }, 'ending twice is refused');
  t.equal(maintenance.end(999, 'op'), undefined);

  const onTime = maintenance.create({ site: 'village', scope: 'device', target: 'cam-n1', reason: 'firmware', endsAt: T0 + 30 * MINUTE }, 'op');
  t.same(changes[2]?.started.map((w) => w.id), [onTime.id], 'starting now is a start at once');
  clock.now = T0 + 30 * MINUTE;
  maintenance.refresh();
  t.same(changes[3]?.ended.map((w) => w.id), [onTime.id], 'and ending on time an end');

  t.same(maintenance.list().map((w) => [w.id, w.status]), [[later.id, 'ended'], [onTime.id, 'ended']], 'ended windows are listed for 24 h');
  clock.now = T0 + 25 * HOUR;
  t.same(maintenance.list(), [], 'then no more');
});

t.test('the real timer wakes at the start and the end', async (t) => {
  const { db, registry } = fixture(t);
  const maintenance = new Maintenance({ db, devices: registry, zoneOf: () => undefined, zones: () => undefined });
  t.teardown(() => maintenance.stop());
  const seen: string[] = [];
  maintenance.onChange(({ started, ended }) => seen.push(...started.map((w) => `start ${w.id}`), ...ended.map((w) => `end ${w.id}`)));
  const now = Date.now();
  const w = maintenance.create({ site: 'village', scope: 'device', target: 'cam-n1', reason: 'short', startsAt: now + 100, endsAt: now + 250 }, 'op');
  await new Promise((r) => setTimeout(r, 400));
  t.same(seen, [`start ${w.id}`, `end ${w.id}`]);
});

t.test('what a window may be', async (t) => {
  const { maintenance } = fixture(t);
  const refused = (input: Parameters<Maintenance['create']>[0]) => {
    try {
      maintenance.create(input, 'op');
      return undefined;
    } catch (err) {
      return err instanceof MaintenanceInputError ? err.field : String(err);
    }
  };
  const base = { site: 'village', reason: 'work', endsAt: T0 + HOUR } as const;
  t.equal(refused({ ...base, scope: 'device', target: 'nope' }), 'target', 'an unknown device');
  t.equal(refused({ ...base, scope: 'device', target: 'cam-other' }), 'target', 'a device of another site');
  t.equal(refused({ ...base, scope: 'zone', target: 'z-east' }), 'target', 'a zone not on the map');
  t.equal(refused({ ...base, scope: 'zone' }), 'target');
  t.equal(refused({ ...base, scope: 'site', target: 'cam-n1' }), 'target', 'a site window names nothing');
  t.equal(refused({ ...base, scope: 'site', reason: '   ' }), 'reason');
  t.equal(refused({ ...base, scope: 'site', reason: 'x'.repeat(201) }), 'reason');
  t.equal(refused({ ...base, scope: 'site', endsAt: T0 }), 'endsAt');
  t.equal(refused({ ...base, scope: 'site', startsAt: T0 - HOUR }), 'startsAt', 'not in the past');
  t.equal(refused({ ...base, scope: 'site', startsAt: T0 + HOUR, endsAt: T0 + HOUR + 7 * 24 * HOUR + 1 }), 'endsAt', 'at most 7 days');
  t.equal(refused({ ...base, scope: 'site', startsAt: T0 + HOUR, endsAt: T0 + HOUR + 7 * 24 * HOUR }), undefined, '7 days exactly');
  t.equal(refused({ ...base, scope: 'site', reason: 'x'.repeat(200), startsAt: T0 - MINUTE }), undefined, 'a start a minute ago is now');
});

t.test('rule runner: a covered device going offline or silent fires nothing; after the window it is reported', async (t) => {
  const { maintenance, clock, device, locator, registry } = fixture(t);
  const engine = new RuleEngine({ rules: await defaultRules(), clock: () => clock.now, heartbeatSeconds });
  const fired: RuleAction[] = [];
  const runner = new RuleRunner({
    engine,
    locator,
    teams: { reading: () => undefined },
    apply: async (action) => void fired.push(action),
    log: pino({ level: 'silent' }),
    now: () => clock.now,
    underMaintenance: (id, at, d) => {
      const known = d ?? registry.get(id);
      return known !== undefined && maintenance.covers(known, at) !== undefined;
    },
  });
  maintenance.onChange(({ started, ended }) => {
    for (const w of started) runner.maintenanceStarted(maintenance.devicesIn(w), clock.now);
    for (const w of ended) runner.maintenanceEnded(maintenance.devicesIn(w), clock.now);
  });
  const ids = () => fired.map((a) => `${a.ruleId}:${a.event.deviceId}`);

  for (const id of ['cam-n1', 'cam-n2', 'fd-n1', 'cam-s1']) registry.markSeen(id, T0);
  runner.watchKnownDevices(registry.list(), T0);
  const window = maintenance.create({ site: 'village', scope: 'zone', target: 'z-north', reason: 'rewiring', endsAt: T0 + HOUR }, 'op');
  for (const id of ['cam-n1', 'cam-n2']) {
    registry.setOnline(id, false, 'disconnected');
    runner.availability({ device: device(id), online: false, reason: 'disconnected', at: clock.now });
  }
  registry.setOnline('cam-s1', false, 'disconnected');
  runner.availability({ device: device('cam-s1'), online: false, reason: 'disconnected', at: clock.now });
  // The fire detector falls silent too (heartbeat 5 min: silent after 10).
  for (let m = 1; m <= 50; m++) {
    clock.now = T0 + m * MINUTE;
    runner.tick(clock.now);
  }
  await runner.idle();
  t.same(ids().sort(), ['camera-offline:cam-s1'], 'only the camera outside the zone is reported');

  clock.now = T0 + 50 * MINUTE;
  maintenance.end(window.id, 'op');
  for (let m = 51; m <= 70; m++) {
    clock.now = T0 + m * MINUTE;
    runner.tick(clock.now);
  }
  await runner.idle();
  t.same(ids().sort(), ['camera-offline:cam-n1', 'camera-offline:cam-n2', 'camera-offline:cam-s1', 'fire-detector-silent:fd-n1'], 'after the window: the cameras still offline and the silent detector');
  const silent = fired.find((a) => a.ruleId === 'fire-detector-silent')!;
  t.equal(silent.evidence.since, T0 + 50 * MINUTE, 'silent from the end of the window');
});
