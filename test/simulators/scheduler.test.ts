import t from 'tap';
import { etasToIncident } from '../../src/dispatch/eta.js';
import { nextEventSim, RHYTHMS } from '../../simulators/devices/rhythm.js';
import { planDrive, positionAt, roadSpeedOf } from '../../simulators/devices/route-follower.js';
import { Scheduler } from '../../simulators/devices/scheduler.js';
import { SimClock } from '../../simulators/devices/sim-clock.js';
import { Random } from '../../simulators/village/random.js';
import { smallVillage } from './helpers.js';

t.test('one scheduler runs one-shots in time order, repeats intervals, honours cancel, and bounds a tick', async (t) => {
  const clock = { now: 0 };
  const scheduler = new Scheduler({ now: () => clock.now, maxPerTick: 3 });
  const ran: string[] = [];
  scheduler.at(30, () => ran.push('c'));
  scheduler.at(10, () => ran.push('a'));
  scheduler.at(10, () => ran.push('b'));
  const cancelled = scheduler.at(20, () => ran.push('never'));
  scheduler.cancel(cancelled);
  const every = scheduler.every(25, () => ran.push('tick'));
  clock.now = 100;
  t.equal(scheduler.runDue(), 3, 'at most maxPerTick tasks in one tick');
  t.same(ran, ['a', 'b', 'tick']);
  scheduler.runDue();
  t.same(ran, ['a', 'b', 'tick', 'c'], 'the rest on the next tick; a late interval does not burst');
  scheduler.cancel(every);
  clock.now = 1000;
  scheduler.runDue();
  t.same(ran.length, 4, 'a cancelled interval stops');
  t.equal(scheduler.saturatedTicks, 1);
});

t.test("MQTT.js's keep-alive timer is served from the heap: set repeats, clear stops it", async (t) => {
  const clock = { now: 0 };
  const scheduler = new Scheduler({ now: () => clock.now });
  const timer = scheduler.mqttTimer();
  let pings = 0;
  const id = timer.set(() => pings++, 60_000);
  for (let s = 1; s <= 180; s++) {
    clock.now = s * 1000;
    scheduler.runDue();
  }
  t.equal(pings, 3);
  timer.clear(id);
  clock.now = 600_000;
  scheduler.runDue();
  t.equal(pings, 3);
});

t.test('daily rhythms average 1 and peak where the village is busy', async (t) => {
  for (const rhythm of Object.values(RHYTHMS)) {
    let sum = 0;
    for (let m = 0; m < 24 * 60; m++) sum += rhythm.at(m / 60);
    t.ok(Math.abs(sum / (24 * 60) - 1) < 0.01, `${rhythm.name} averages 1`);
    for (let m = 0; m < 24 * 60; m++) if (rhythm.at(m / 60) > rhythm.max) t.fail(`${rhythm.name} exceeds its max at ${m} min`);
  }
  t.ok(RHYTHMS.swipes.at(7.5) > 10 * RHYTHMS.swipes.at(3), 'swipes: morning ≫ 3 a.m.');
  t.ok(RHYTHMS.swipes.at(18.5) > 10 * RHYTHMS.swipes.at(3), 'swipes: evening ≫ 3 a.m.');
});

t.test('events drawn from a rhythm come at the daily rate, mostly in the peaks', async (t) => {
  const random = new Random('rates');
  const clock = new SimClock({ startSimMs: Date.UTC(2025, 0, 1, 16) /* 00:00 CST */ });
  let at = Date.UTC(2025, 0, 1, 16);
  const end = at + 10 * 86_400_000;
  const hours: number[] = [];
  for (let guard = 0; guard < 100_000 && at < end; guard++) {
    const next = nextEventSim(random, at, 500, RHYTHMS.swipes, (ms) => clock.hourAt(ms));
    at = next.atSim;
    if (next.event && at < end) hours.push(clock.hourAt(at));
  }
  t.ok(Math.abs(hours.length - 5000) < 300, `${hours.length} events in 10 days at 500 a day`);
  const night = hours.filter((h) => h >= 1 && h < 5).length;
  const morning = hours.filter((h) => h >= 6.5 && h < 8.5).length;
  t.ok(morning > 8 * night, `morning 06:30–08:30: ${morning}, night 01:00–05:00: ${night}`);
});

t.test('driving an order route at road speeds takes the ETA the dispatcher computed', async (t) => {
  const { village, graph } = smallVillage();
  const random = new Random('drives');
  const speedOf = roadSpeedOf(graph);
  for (let k = 0; k < 20; k++) {
    const from = random.pick(village.plan.devices);
    const to = random.pick(village.plan.devices);
    const eta = etasToIncident(graph, { lon: to.lon, lat: to.lat }, [{ id: 'x', lon: from.lon, lat: from.lat }]).teams[0]!;
    const drive = planDrive(eta.route, speedOf);
    t.ok(Math.abs(drive.totalSeconds - eta.etaSeconds) <= Math.max(2, eta.etaSeconds * 0.02), `${from.id} → ${to.id}: drive ${drive.totalSeconds.toFixed(1)} s, ETA ${eta.etaSeconds.toFixed(1)} s`);
    const halfway = positionAt(drive, drive.totalSeconds / 2);
    t.notOk(halfway.done);
    const end = positionAt(drive, drive.totalSeconds + 1);
    t.ok(end.done && end.lon === to.lon && end.lat === to.lat, 'ends on the spot');
  }
});
