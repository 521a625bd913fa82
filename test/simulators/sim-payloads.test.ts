import t, { type Test } from 'tap';
import { CameraSim } from '../../simulators/devices/camera.js';
import { DetectorSim } from '../../simulators/devices/detector.js';
import { LockSim } from '../../simulators/devices/lock.js';
import { roadSpeedOf } from '../../simulators/devices/route-follower.js';
import { TrackerSim } from '../../simulators/devices/tracker.js';
import type { CameraPlan, DetectorPlan, LockPlan, TrackerPlan } from '../../simulators/village/plan.js';
import { capture, decode, failureOf, fakeContext, smallVillage, type Captured } from './helpers.js';

/** Every payload a simulated device sends is one its model's codec accepts without a warning. */
function expectClean(t: Test, kind: Parameters<typeof decode>[0], model: string, sent: readonly Captured[]): void {
  const problems = sent.map((c) => [c.payload.toString('utf8'), failureOf(decode(kind, model, c))]).filter(([, problem]) => problem !== undefined);
  t.same(problems, [], `${sent.length} ${kind} payloads decode cleanly`);
}

t.test('camera, lock and detector payloads (heartbeats and every event) decode cleanly with their models', async (t) => {
  const { village } = smallVillage();
  const ctx = fakeContext({ startHour: 2 });
  const cameraPlan = village.plan.devices.find((d): d is CameraPlan => d.kind === 'camera')!;
  const lockPlan = village.plan.devices.find((d): d is LockPlan => d.kind === 'lock')!;
  const detectorPlan = village.plan.devices.find((d): d is DetectorPlan => d.kind === 'fire')!;

  const camera = new CameraSim(cameraPlan, ctx, 's');
  const cameraSent = capture(camera);
  await camera.sendHeartbeat();
  await camera.motion();
  camera.tampered(60_000);
  camera.videoLossFor(30_000);
  await camera.sendHeartbeat();
  ctx.clockMs.now += 120_000;
  ctx.scheduler.runDue();
  expectClean(t, 'camera', cameraPlan.model, cameraSent);
  const kinds = cameraSent.map((c) => JSON.parse(c.payload.toString()) as Record<string, unknown>);
  t.ok(kinds.some((p) => p.video_loss === true && p.fps === 0), 'health during video loss says so');
  t.ok(kinds.some((p) => p.event === 'tamper' && p.active === false), 'tamper ends with active: false');

  const lock = new LockSim(lockPlan, ctx, 's');
  const lockSent = capture(lock);
  await lock.sendHeartbeat();
  for (let i = 0; i < 50; i++) await lock.tenantSwipe();
  await lock.strangerSwipe('330109199001011234');
  expectClean(t, 'lock', lockPlan.model, lockSent);
  const swipes = lockSent.filter((c) => c.channel === 'event').map((c) => JSON.parse(c.payload.toString()) as { room: string; card?: string });
  t.ok(swipes.every((s) => s.room === lockPlan.room), 'every swipe names the lock’s room');
  t.ok(swipes.filter((s) => s.card).every((s) => s.card === '330109199001011234' || lockPlan.tenants.some((tenant) => tenant.card === s.card)), 'cards are the tenants’ (or the stranger’s)');

  const detector = new DetectorSim(detectorPlan, ctx, 's');
  const detectorSent = capture(detector);
  await detector.sendHeartbeat();
  await detector.alarm('smoke', 60_000);
  await detector.alarm('heat');
  await detector.test();
  detector.fault(10_000);
  detector.lowBattery();
  ctx.clockMs.now += 120_000;
  ctx.scheduler.runDue();
  expectClean(t, 'fire', detectorPlan.model, detectorSent);
  t.same(
    detectorSent.filter((c) => c.channel === 'event').map((c) => (JSON.parse(c.payload.toString()) as { event: string }).event),
    ['alarm', 'alarm', 'test', 'fault', 'battery', 'fault', 'restore'],
    'alarm, heat alarm, test, fault, battery, then the fault cleared (10 s) and the smoke restored (60 s)',
  );
});

t.test('a tracker takes an order like a crew: reads it 5–20 s, accepts, drives the route at road speed, reports arrival', async (t) => {
  const { village, graph } = smallVillage();
  const ctx = fakeContext({ speed: 1 });
  const trackerPlan = village.plan.devices.find((d): d is TrackerPlan => d.kind === 'team')!;
  const tracker = new TrackerSim(trackerPlan, ctx, 's', { graph, speedOf: roadSpeedOf(graph), patrolRadiusM: 700, declineProbability: 0 });
  const sent = capture(tracker);
  tracker.start();
  const events = () => sent.filter((c) => c.channel === 'event').map((c) => JSON.parse(c.payload.toString()) as Record<string, unknown>);
  const step = (ms: number) => {
    for (let elapsed = 0; elapsed < ms; elapsed += 1000) {
      ctx.clockMs.now += 1000;
      ctx.scheduler.runDue();
    }
  };
  step(60_000);
  t.ok(events().filter((e) => e.event === 'position').length >= 10, 'patrolling, it reports positions every few seconds');

  // An order as the dispatcher words it: the route from the team's last position to a factory.
  const factory = village.plan.devices.find((d) => d.kind === 'fire')!;
  const last = events().filter((e) => e.event === 'position').pop()!;
  const { etasToIncident } = await import('../../src/dispatch/eta.js');
  const eta = etasToIncident(graph, { lon: factory.lon, lat: factory.lat }, [{ id: 't', lon: last.lon as number, lat: last.lat as number }]).teams[0]!;
  const before = events().length;
  (tracker as unknown as { command(payload: Buffer): void }).command(
    Buffer.from(JSON.stringify({ type: 'dispatch', orderId: 1, incident: { id: 42, title: 'Fire alarm' }, etaSeconds: Math.round(eta.etaSeconds), route: eta.route, acceptWithinSeconds: 30, reason: 'test', issuedAt: ctx.clockMs.now })),
  );
  step(4000);
  t.notOk(events().slice(before).some((e) => e.event === 'accept'), 'no accept within 4 s: the crew reads the order first');
  step(17_000);
  const acceptAt = events().findIndex((e, i) => i >= before && e.event === 'accept');
  t.ok(acceptAt >= 0, 'accepted within 20 s');
  t.same(events()[acceptAt], { event: 'accept', incident_id: '42', ts: events()[acceptAt]!.ts }, 'accept names the incident');
  const drivingFrom = ctx.clockMs.now;
  let arrived = -1;
  for (let s = 0; s < eta.etaSeconds + 60 && arrived < 0; s++) {
    step(1000);
    arrived = events().findIndex((e) => e.event === 'arrived');
  }
  t.ok(arrived >= 0, 'reported arrival');
  const drove = (ctx.clockMs.now - drivingFrom) / 1000;
  t.ok(Math.abs(drove - eta.etaSeconds) <= 15, `drove ${drove.toFixed(0)} s for an ETA of ${eta.etaSeconds.toFixed(0)} s`);
  const final = events()[arrived - 1]!;
  t.equal(final.event, 'position');
  t.same([final.lon, final.lat], [Number(factory.lon.toFixed(6)), Number(factory.lat.toFixed(6))], 'the last fix before "arrived" is the incident spot');
  t.equal(tracker.currentMode, 'on-scene');
  expectClean(t, 'team', trackerPlan.model, sent);

  // The incident closes (the phone sees no incident): back on patrol, available.
  tracker.released(ctx.clockMs.now - 60_000);
  t.equal(tracker.currentMode, 'on-scene', 'an answer the phone got before the order is ignored');
  tracker.released(Date.now() + 1);
  t.equal(tracker.currentMode, 'patrol');
  t.same(events().pop(), { event: 'status', status: 'available', ts: events().pop()!.ts });
  await tracker.stop();
});

t.test('a stand-down while driving sends the team back on patrol', async (t) => {
  const { village, graph } = smallVillage();
  const ctx = fakeContext({ speed: 10 });
  const trackerPlan = village.plan.devices.find((d): d is TrackerPlan => d.kind === 'team')!;
  const tracker = new TrackerSim(trackerPlan, ctx, 's', { graph, speedOf: roadSpeedOf(graph), patrolRadiusM: 700, declineProbability: 0 });
  capture(tracker);
  const far = village.plan.devices[village.plan.devices.length - 1]!;
  const command = (message: object) => (tracker as unknown as { command(payload: Buffer): void }).command(Buffer.from(JSON.stringify(message)));
  command({ type: 'dispatch', orderId: 7, incident: { id: 9 }, route: [[trackerPlan.lon, trackerPlan.lat], [far.lon, far.lat]] });
  t.equal(tracker.currentMode, 'reading');
  ctx.clockMs.now += 2500;
  ctx.scheduler.runDue();
  t.equal(tracker.currentMode, 'responding', 'at ×10 the 5–20 s of reading take 0.5–2 s');
  command({ type: 'stand-down', orderId: 6, incident: { id: 8 } });
  t.equal(tracker.currentMode, 'responding', 'a stand-down for another order is not ours');
  command({ type: 'stand-down', orderId: 7, incident: { id: 9 } });
  t.equal(tracker.currentMode, 'patrol');
  t.same(tracker.events.map((e) => e.what), ['order', 'accept', 'stand-down']);

  command({ type: 'dispatch', orderId: 8, incident: { id: 10 }, route: [[trackerPlan.lon, trackerPlan.lat], [far.lon, far.lat]] });
  command({ type: 'closed', orderId: 5, incident: { id: 4 }, status: 'resolved' });
  t.equal(tracker.currentMode, 'reading', 'another incident closed: not ours');
  command({ type: 'closed', orderId: 8, incident: { id: 10 }, status: 'resolved' });
  t.equal(tracker.currentMode, 'patrol', 'its incident resolved: back on patrol');
  t.same(tracker.events.map((e) => e.what).slice(3), ['order', 'closed']);
});
