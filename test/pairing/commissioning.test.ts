import t from 'tap';
import { EventBus } from '../../src/event-bus.js';
import type { GatewayEvents } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import type { DeviceKind } from '../../devices/model.js';
import { NotTestedError, type CommissioningView } from '../../src/pairing/commissioning.js';
import { RefusalLog, recordRefusal } from '../../src/pairing/refusals.js';
import { wirePairing } from '../../src/pairing/wire.js';
import { ingested, MODEL_OF, pairingFixture, rejected, type PairingFixture } from './helpers.js';

async function claim(f: PairingFixture, kind: DeviceKind = 'fire') {
  const { codes } = f.codes.createBatch({ site: 'testvillage', kind, count: 1, by: 'alice', now: f.clock.now });
  const claimed = await f.claims.claim({ code: codes[0]!.code, model: MODEL_OF[kind], lon: 120.2, lat: 30.2 }, { name: 'ivan' });
  return claimed.device;
}

function wired(t: { teardown(fn: () => void): void }, f: PairingFixture) {
  const bus = new EventBus<GatewayEvents>(createLogger('silent'));
  const unwire = wirePairing(bus, f.commissioning, { sweepIntervalMs: 20 });
  t.teardown(unwire);
  return bus;
}

t.test('fire detector: registered → seen → test-received → commissioned, announced live and kept in SQLite', async (t) => {
  const f = pairingFixture(t);
  const bus = wired(t, f);
  const device = await claim(f);
  const updates: CommissioningView[] = [];
  const unsubscribe = f.commissioning.subscribe(device.id, (view) => updates.push(view));
  t.match(f.commissioning.view(device.id), { state: 'registered', code: /^FD-/, claimedBy: 'ivan', overdue: false, likelyCauses: [], testHint: /TEST button/ });

  f.clock.now += 1000;
  bus.emit('availability', { device, online: true, reason: 'connected', at: f.clock.now });
  t.match(f.commissioning.view(device.id), { state: 'registered', connectedAt: f.clock.now });

  bus.emit('ingested', ingested(device, 'status', [{ measurement: 'device_status', event: 'heartbeat' }], f.clock.now + 1));
  t.match(f.commissioning.view(device.id), { state: 'seen', seenAt: f.clock.now + 1 });

  bus.emit('ingested', ingested(device, 'event', [{ measurement: 'fire_event', event: 'alarm' }], f.clock.now + 2));
  t.equal(f.commissioning.view(device.id)?.state, 'seen', 'an alarm is not the test');
  bus.emit('ingested', ingested(device, 'event', [{ measurement: 'fire_event', event: 'test' }], f.clock.now + 3));
  t.match(f.commissioning.view(device.id), { state: 'test-received', testReceivedAt: f.clock.now + 3 });
  t.same(updates.map((u) => u.state), ['registered', 'seen', 'test-received'], 'each change reaches the live listener');

  t.match(f.reopen().commissioning.view(device.id), { state: 'test-received' }, 'kept across a restart');

  f.clock.now += 5000;
  t.match(f.commissioning.commission(device.id, 'ivan'), { state: 'commissioned', commissionedBy: 'ivan', commissionedAt: f.clock.now });
  t.equal(updates.at(-1)?.state, 'commissioned');
  bus.emit('ingested', ingested(device, 'event', [{ measurement: 'fire_event', event: 'test' }], f.clock.now + 9));
  t.equal(f.commissioning.view(device.id)?.state, 'commissioned', 'states never go back');
  t.match(f.commissioning.list({ state: 'commissioned' }), [{ deviceId: device.id }]);
  unsubscribe();
});

t.test('the test of each kind', async (t) => {
  const f = pairingFixture(t);
  const bus = wired(t, f);
  const at = f.clock.now;
  const cases: [DeviceKind, 'event' | 'status', { measurement: string; event: string }, boolean][] = [
    ['camera', 'status', { measurement: 'camera_health', event: 'heartbeat' }, false],
    ['camera', 'event', { measurement: 'camera_event', event: 'motion' }, true],
    ['lock', 'event', { measurement: 'lock_swipe', event: 'swipe' }, true],
    ['ebike-station', 'event', { measurement: 'ebike_tag_read', event: 'read' }, true],
    ['team', 'event', { measurement: 'team_status', event: 'status' }, false],
    ['team', 'event', { measurement: 'team_position', event: 'position' }, true],
    ['fire', 'event', { measurement: 'fire_event', event: 'fault' }, false],
  ];
  for (const [kind, channel, reading, isTest] of cases) {
    const device = await claim(f, kind);
    bus.emit('ingested', ingested(device, channel, [reading], at));
    t.equal(f.commissioning.view(device.id)?.state, isTest ? 'test-received' : 'seen', `${kind}: ${channel} ${reading.event} ${isTest ? 'is' : 'is not'} its test`);
  }
});

t.test('autoCommission: the test event completes it', async (t) => {
  const f = pairingFixture(t, { autoCommission: true });
  const bus = wired(t, f);
  const device = await claim(f, 'lock');
  bus.emit('ingested', ingested(device, 'event', [{ measurement: 'lock_swipe', event: 'swipe' }], f.clock.now));
  t.match(f.commissioning.view(device.id), { state: 'commissioned', seenAt: f.clock.now, testReceivedAt: f.clock.now, commissionedBy: 'test-event' });
});

t.test('commissioning before the test is refused', async (t) => {
  const f = pairingFixture(t);
  const device = await claim(f);
  t.throws(() => f.commissioning.commission(device.id, 'ivan'), new NotTestedError('registered'));
  t.equal(f.commissioning.commission('nobody', 'ivan'), undefined);
  t.ok(f.commissioning.forget(device.id), 'a deleted device can be forgotten');
  t.equal(f.commissioning.view(device.id), undefined);
});

t.test('likely causes: broker refusals, rejected payloads, silence', async (t) => {
  const f = pairingFixture(t, { silentAfterMinutes: 10 });
  const bus = wired(t, f);
  const device = await claim(f);
  const updates: CommissioningView[] = [];
  f.commissioning.subscribe(device.id, (view) => updates.push(view));

  f.clock.now += 11 * 60_000;
  t.match(f.commissioning.view(device.id), {
    overdue: true,
    likelyCauses: [{ source: 'silent', key: 'silent', detail: null, title: 'nothing heard for 10 minutes', hint: /power, network/ }],
  });
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.equal(updates.length, 1, 'the live listener hears that it became overdue, once');
  t.match(updates[0], { state: 'registered', overdue: true });

  recordRefusal(device.id, 'wrong_secret');
  recordRefusal(device.id, 'wrong_secret');
  recordRefusal(device.id, 'client_id_mismatch', 'client id "esp32-a1b2", username "x"');
  recordRefusal(device.id, 'acl_publish', `v1/othervillage/fire/${device.id}/event`);
  const view = f.commissioning.view(device.id)!;
  t.match(view.refusals, [{ reason: 'acl_publish' }, { reason: 'client_id_mismatch' }, { reason: 'wrong_secret', count: 2 }]);
  t.match(view.likelyCauses, [
    { title: `publishing to the wrong topic (v1/othervillage/fire/${device.id}/event)`, hint: new RegExp(`v1/testvillage/fire/${device.id}/event`) },
    { title: 'wrong client id', hint: new RegExp(`"${device.id}"`) },
    { title: 'wrong secret', count: 2 },
  ]);
  t.same(
    view.likelyCauses.map((c) => [c.key, c.detail]),
    [
      ['acl_publish', `v1/othervillage/fire/${device.id}/event`],
      ['client_id_mismatch', 'client id "esp32-a1b2", username "x"'],
      ['wrong_secret', null],
    ],
    'each cause has a stable key and its detail as data, for pages that word it in their own language',
  );
  t.notOk(view.likelyCauses.some((c) => c.source === 'silent'), 'refusals explain the silence');
  t.equal(updates.at(-1)?.refusals.length, 3, 'refusals reach the live listener');

  bus.emit('rejected', rejected(device, f.clock.now));
  t.match(f.commissioning.view(device.id), {
    state: 'seen',
    overdue: false,
    likelyCauses: [{}, {}, {}, { source: 'rejected', key: 'rejected', reason: 'schema', detail: /^event: must be one of/, title: 'message rejected: schema', hint: /event: must be one of/ }],
  });
});

t.test('a refusal from before the claim, and a device that logs in but says nothing', async (t) => {
  const f = pairingFixture(t);
  const bus = wired(t, f);
  const { codes } = f.codes.createBatch({ site: 'testvillage', kind: 'camera', count: 1, by: 'alice', now: f.clock.now });
  f.commissioning.recordRefusal('cam-gate-1', 'unknown_device', null, f.clock.now - 1000);
  const { device } = await f.claims.claim({ code: codes[0]!.code, deviceId: 'cam-gate-1', model: MODEL_OF.camera, lon: 1, lat: 2 }, { name: 'ivan' });
  t.match(f.commissioning.view(device.id)?.likelyCauses, [{ key: 'refused_before_claim', title: 'tried to connect before it was claimed' }]);
  f.commissioning.recordRefusal('cam-gate-1', 'unknown_device', null, f.clock.now + 1000);
  t.match(f.commissioning.view(device.id)?.likelyCauses, [{ key: 'unknown_device', title: 'unknown device id' }], 'refused as unknown after its claim: deleted, or a wrong username');
  f.commissioning.recordRefusal('cam-gate-1', 'quota_exceeded', 'whatever', f.clock.now + 2000);
  t.match(f.commissioning.view(device.id)?.likelyCauses[0], { key: 'refused', source: 'quota_exceeded', detail: 'whatever' }, 'a reason the gateway does not know yet');

  const other = await claim(f, 'camera');
  bus.emit('availability', { device: other, online: true, reason: 'connected', at: f.clock.now });
  f.clock.now += 11 * 60_000;
  t.match(f.commissioning.view(other.id)?.likelyCauses, [{ source: 'connected-silent', key: 'connected-silent', title: 'connected, but no message' }]);
});

t.test('the refusal log stays bounded', async (t) => {
  const log = new RefusalLog({ maxDevices: 3, maxPerDevice: 2 });
  for (const id of ['a', 'b', 'c', 'd']) log.record(id, 'unknown_device', null, 1);
  t.same(log.of('a'), [], 'the least recently refused device is dropped');
  for (const topic of ['t1', 't2', 't3']) log.record('d', 'acl_publish', topic, 2);
  t.same(log.of('d').map((r) => r.detail), ['t3', 't2']);
});

t.test('unwired: no more bus or hook updates', async (t) => {
  const f = pairingFixture(t);
  const bus = new EventBus<GatewayEvents>(createLogger('silent'));
  const unwire = wirePairing(bus, f.commissioning);
  const device = await claim(f);
  unwire();
  bus.emit('ingested', ingested(device, 'status', [{}], f.clock.now));
  recordRefusal(device.id, 'wrong_secret');
  t.match(f.commissioning.view(device.id), { state: 'registered', refusals: [] });
});
