import t from 'tap';
import { ROLES } from '../../src/api/auth.js';
import { AUDIENCES, BRIGADE, EVERYTHING, audienceFor, narrowBatch, narrowSnapshot, seesDevice, seesIncident, seesMaintenance, seesTicker } from '../../src/live/audience.js';
import { LIVE_ROLES } from '../../src/live/live-feed.js';
import { DEVICE_FIELDS, type BatchMessage, type SnapshotMessage, type TickerEntry, type WireDevice, type WireIncident, type WireMaintenance } from '../../src/live/wire.js';

const device = (id: string, kind: WireDevice[1]): WireDevice => [id, kind, 1, 120.2, 30.2, 1, id, null];
const incident = (id: number, kind: string, brigadeNotified = false): WireIncident =>
  ({ id, kind, brigadeNotified, ruleId: `${kind}-rule`, deviceId: `${kind}-1`, status: 'open', severity: 'orange', orders: [] }) as unknown as WireIncident;
const tick = (id: number, kind: string): TickerEntry => ({ id, at: 1, type: 'incident-opened', kind });
const window = (id: number, scope: WireMaintenance['scope'], target: string | null, kind?: WireMaintenance['kind']): WireMaintenance => ({
  id,
  site: 'v',
  scope,
  target,
  reason: `work ${id}`,
  startsAt: 1,
  endsAt: 2,
  status: 'active',
  ...(kind ? { kind } : {}),
});

const devices = [device('cam-1', 'camera'), device('fd-1', 'fire'), device('lock-1', 'lock'), device('eb-1', 'ebike-station'), device('trk-1', 'team')];
const incidents = [incident(1, 'fire'), incident(2, 'lock'), incident(3, 'camera'), incident(4, 'ebike-station'), incident(5, 'lock', true)];
const ticker = [tick(1, 'fire'), tick(2, 'lock'), tick(3, 'camera'), tick(4, 'ebike-station')];
const maintenance = [
  window(1, 'device', 'cam-1', 'camera'),
  window(2, 'device', 'lock-1', 'lock'),
  window(3, 'zone', 'grid-a'),
  window(4, 'site', null),
  window(5, 'device', 'fd-1', 'fire'),
  window(6, 'device', 'gone-1'),
];

t.test('every role that may watch the feed has an audience; others have none', async (t) => {
  for (const role of LIVE_ROLES) t.ok(audienceFor(role), `${role} has an audience`);
  t.equal(audienceFor('operator'), EVERYTHING);
  t.equal(audienceFor('admin'), EVERYTHING, 'operator and admin share one audience (one frame)');
  t.equal(audienceFor('brigade'), BRIGADE);
  for (const role of ROLES.filter((r) => !LIVE_ROLES.includes(r))) t.equal(audienceFor(role), undefined, `${role}: none`);
  t.equal(audienceFor('toString' as never), undefined, 'not fooled by the prototype');
  t.same(Object.keys(AUDIENCES).sort(), [...LIVE_ROLES].sort());
});

t.test('the brigade: cameras and fire detectors, their incidents and those it was told about', async (t) => {
  t.same(['camera', 'fire', 'lock', 'ebike-station', 'team'].filter((k) => seesDevice(BRIGADE, k)), ['camera', 'fire']);
  t.notOk(seesDevice(BRIGADE, undefined), 'a device of unknown kind is not shown');
  t.same(incidents.filter((i) => seesIncident(BRIGADE, i)).map((i) => i.id), [1, 3, 5], 'fire, camera (camera health) and a lock incident the brigade was told about');
  t.same(ticker.filter((e) => seesTicker(BRIGADE, e)).map((e) => e.id), [1, 3]);
  t.same(maintenance.filter((w) => seesMaintenance(BRIGADE, w)).map((w) => w.id), [1, 3, 4, 5], 'maintenance on a camera, a detector, a zone or the site; not on a lock, nor on a device of unknown kind');
  t.ok(maintenance.every((w) => seesMaintenance(EVERYTHING, w)));
  for (const kind of ['camera', 'fire', 'lock', 'ebike-station', 'team', undefined]) t.ok(seesDevice(EVERYTHING, kind), `everything: ${kind}`);
  t.ok(incidents.every((i) => seesIncident(EVERYTHING, i)));
});

t.test('snapshots and batches are narrowed, not reshaped', async (t) => {
  const snapshot: SnapshotMessage = {
    type: 'snapshot',
    epoch: 'e',
    seq: 7,
    at: 1,
    settings: { targetSeconds: 180, teamStaleAfterMs: 1, batchMs: 250 },
    deviceFields: DEVICE_FIELDS,
    devices,
    incidents,
    teams: [],
    counters: { online: { lock: 1 }, total: { lock: 1 }, messagesPerSecond: 0, rejects: 0, rejectsPerSecond: 0, outboxDepth: 0, clients: 1 },
    coverage: null,
    ticker,
    maintenance,
  };
  t.equal(narrowSnapshot(snapshot, EVERYTHING), snapshot, 'everything: the very same message');
  const brigade = narrowSnapshot(snapshot, BRIGADE);
  t.same(brigade.devices.map((d) => d[0]), ['cam-1', 'fd-1']);
  t.same(brigade.incidents.map((i) => i.id), [1, 3, 5]);
  t.same(brigade.ticker.map((e) => e.id), [1, 3]);
  t.same(brigade.maintenance.map((w) => w.id), [1, 3, 4, 5]);
  t.same(Object.keys(brigade), Object.keys(snapshot), 'same fields');
  t.equal(brigade.counters, snapshot.counters, 'counters as they are');
  t.equal(snapshot.devices.length, 5, 'the original is untouched');

  const batch: BatchMessage = { type: 'batch', epoch: 'e', seq: 8, at: 2, devices, devicesRemoved: ['lock-1', 'cam-1', 'who-knows'], incidents, ticker, tickerDropped: 3, teams: [], maintenance };
  t.equal(narrowBatch(batch, EVERYTHING), batch);
  const kinds = new Map([
    ['lock-1', 'lock'],
    ['cam-1', 'camera'],
  ]);
  const narrowed = narrowBatch(batch, BRIGADE, kinds);
  t.same(narrowed.devices?.map((d) => d[0]), ['cam-1', 'fd-1']);
  t.same(narrowed.devicesRemoved, ['cam-1'], 'no lock id, and no id of unknown kind');
  t.same(narrowed.incidents?.map((i) => i.id), [1, 3, 5]);
  t.same(narrowed.ticker?.map((e) => e.id), [1, 3]);
  t.same(narrowed.maintenance?.map((w) => w.id), [1, 3, 4, 5], 'the full list, narrowed');
  t.match(narrowed, { type: 'batch', epoch: 'e', seq: 8, at: 2, tickerDropped: 3, teams: [] });

  const hidden = narrowBatch({ type: 'batch', epoch: 'e', seq: 9, at: 3, devices: [device('lock-2', 'lock')], devicesRemoved: ['lock-1'], incidents: [incident(6, 'lock')], ticker: [tick(5, 'lock')] }, BRIGADE, kinds);
  t.same(hidden, { type: 'batch', epoch: 'e', seq: 9, at: 3 }, 'nothing visible: an empty batch that keeps the sequence, no empty lists');
  const lockOnly = narrowBatch({ type: 'batch', epoch: 'e', seq: 10, at: 4, maintenance: [window(2, 'device', 'lock-1', 'lock')] }, BRIGADE);
  t.same(lockOnly.maintenance, [], 'a maintenance list with nothing visible stays, empty: it replaces the last one');
  t.equal(narrowBatch({ type: 'batch', epoch: 'e', seq: 11, at: 5 }, BRIGADE).maintenance, undefined, 'no list when the batch has none');
});
