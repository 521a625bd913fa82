import t from 'tap';
import { connect as tcpConnect } from 'node:net';
import { EventBus } from '../../src/event-bus.js';
import type { GatewayEvents } from '../../src/gateway.js';
import type { BatchMessage, FeedMessage, ResumeMessage, SnapshotMessage, WireDevice } from '../../src/live/wire.js';
import { startGateway, waitFor, type Credentials, type Harness } from '../support/gateway-harness.js';
import { cookieFor, openFeed, startWallServer } from './wall-server.js';

const isSnapshot = (m: FeedMessage): m is SnapshotMessage => m.type === 'snapshot';
const isBatch = (m: FeedMessage): m is BatchMessage => m.type === 'batch';
const operator = cookieFor('operator');

async function registerAt(h: Harness, kind: 'fire' | 'lock' | 'camera' | 'ebike-station', id: string, lon: number, lat: number): Promise<Credentials> {
  const model = { fire: 'emberline/d10', lock: 'anmen/l3', camera: 'vistaguard/vg200', 'ebike-station': 'tagway/r500' }[kind];
  const response = await h.http('POST', '/api/devices', { id, site: 'testvillage', kind, model, lon, lat, name: `${kind} ${id}` });
  if (response.status !== 201) throw new Error(response.text);
  return response.json as Credentials;
}

const deviceIn = (devices: WireDevice[] | undefined, id: string) => devices?.find((d) => d[0] === id);

t.test('live feed on a real gateway', async (t) => {
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9' });
  t.teardown(() => h.stop());
  const wall = await startWallServer(h);
  t.teardown(() => wall.stop());

  const detector = await registerAt(h, 'fire', 'fd-live-1', 120.21, 30.2);
  await registerAt(h, 'lock', 'lock-live-1', 120.22, 30.21);

  await t.test('the upgrade is refused without a principal, for a role that may not watch, and from a foreign origin', async (t) => {
    await t.rejects(openFeed(wall.port), /upgrade refused: 401/, 'no cookie: 401');
    await t.rejects(openFeed(wall.port, { cookie: 'vsg_test=' }), /upgrade refused: 401/, 'an empty cookie is nobody');
    await t.rejects(openFeed(wall.port, { cookie: cookieFor('installer') }), /upgrade refused: 403/, 'installer: 403');
    await t.rejects(openFeed(wall.port, { cookie: operator, headers: { origin: 'http://evil.example' } }), /upgrade refused: 403/, 'cross-site WebSocket hijacking is refused');
    const same = await openFeed(wall.port, { cookie: operator, headers: { origin: `http://127.0.0.1:${wall.port}` } });
    await same.next(isSnapshot);
    await same.close();
    for (const role of ['admin', 'brigade'] as const) {
      const feed = await openFeed(wall.port, { cookie: cookieFor(role) });
      await feed.next(isSnapshot);
      t.pass(`${role} may watch`);
      await feed.close();
    }
  });

  await t.test('a real session cookie (vsg_session from /api/auth/login) opens the feed', async (t) => {
    const created = await h.http('POST', '/api/accounts', { username: 'wall-op', displayName: 'Wall operator', role: 'operator', password: 'correct horse battery' });
    t.equal(created.status, 201, created.text);
    const login = await fetch(`http://127.0.0.1:${h.addresses.httpPort}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'wall-op', password: 'correct horse battery' }),
    });
    t.equal(login.status, 200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    t.match(cookie, /^vsg_session=/);
    const feed = await openFeed(wall.port, { cookie });
    await feed.next(isSnapshot);
    t.pass('the operator session watches the feed');
    await feed.close();
    await t.rejects(openFeed(wall.port, { cookie: 'vsg_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), /upgrade refused: 401/, 'an unknown session is nobody');

    const strict = await startWallServer(h, { recheckMs: 100 });
    t.teardown(() => strict.stop());
    const open = await openFeed(strict.port, { cookie });
    await open.next(isSnapshot);
    const closed = new Promise<number>((resolve) => open.ws.once('close', (code) => resolve(code)));
    await fetch(`http://127.0.0.1:${h.addresses.httpPort}/api/auth/logout`, { method: 'POST', headers: { cookie } });
    t.equal(await closed, 4401, 'logging out closes the open page too (4401: log in again)');
  });

  await t.test('a new page gets a snapshot, then batches of deltas from the bus', async (t) => {
    const feed = await openFeed(wall.port, { cookie: operator });
    t.teardown(() => feed.close());
    const snapshot = await feed.next(isSnapshot);
    t.same(snapshot.deviceFields, ['id', 'kind', 'online', 'lon', 'lat', 'lastSeenAt', 'name', 'maintenance'], 'devices are tuples with named columns');
    const fire = deviceIn(snapshot.devices, 'fd-live-1');
    t.same(fire?.slice(0, 5), ['fd-live-1', 'fire', 0, 120.21, 30.2], 'kind, online and position of each device');
    t.ok(deviceIn(snapshot.devices, 'lock-live-1'), 'every registered device');
    t.same(snapshot.incidents, [], 'no incidents yet');
    t.same(snapshot.teams, []);
    t.equal(snapshot.settings.targetSeconds, 180);
    t.match(snapshot.counters, { total: { fire: 1, lock: 1 }, outboxDepth: Number }, 'counters: totals per kind and the outbox');
    t.equal(snapshot.coverage, null, 'no road network, no coverage');

    const client = await h.connect(detector);
    const online = (await feed.waitFor('the detector online', (m) => isBatch(m) && deviceIn(m.devices, 'fd-live-1')?.[2] === 1)) as BatchMessage;
    t.equal(feed.messages.find(isBatch)?.seq, snapshot.seq + 1, 'batches continue the snapshot sequence');
    t.ok(online.seq > snapshot.seq);
    t.ok(typeof deviceIn(online.devices, 'fd-live-1')?.[5] === 'number', 'last seen travels with the device');
    const counted = (await feed.waitFor('the counters', (m) => isBatch(m) && m.counters?.online.fire === 1)) as BatchMessage;
    t.match(counted.counters, { online: { fire: 1 }, total: { fire: 1, lock: 1 } }, 'the online counters follow');

    await client.publishAsync(`v1/testvillage/fire/fd-live-1/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
    const opened = (await feed.waitFor('the incident', (m) => isBatch(m) && (m.incidents?.length ?? 0) > 0)) as BatchMessage;
    const incident = opened.incidents![0]!;
    t.match(incident, { ruleId: 'fire-alarm', severity: 'orange', status: 'open', deviceId: 'fd-live-1', orders: [] });
    const ticker = feed.messages.filter(isBatch).flatMap((m) => m.ticker ?? []);
    t.ok(ticker.some((e) => e.type === 'fire-alarm' && e.deviceId === 'fd-live-1'), 'the ticker has the fire alarm');
    t.ok(ticker.some((e) => e.type === 'incident-opened' && e.incidentId === incident.id), 'and the new incident');

    const resolved = await h.http('POST', `/api/incidents/${incident.id}/resolve`, { note: 'burnt toast' });
    t.equal(resolved.status, 200);
    const closed = (await feed.waitFor('the incident closed', (m) => isBatch(m) && m.incidents?.some((i) => i.id === incident.id && i.status === 'resolved') === true)) as BatchMessage;
    t.ok(closed.ticker?.some((e) => e.type === 'incident-closed' && e.incidentId === incident.id), 'the ticker says it closed');
    const seqs = feed.messages.filter(isBatch).map((m) => m.seq);
    t.same(seqs, seqs.map((_, i) => snapshot.seq + 1 + i), 'no batch skipped or repeated');
    await client.endAsync();
  });

  await t.test('changes are coalesced: one entry per entity per batch, whatever the event rate', async (t) => {
    const ids = Array.from({ length: 20 }, (_, i) => `lock-burst-${i}`);
    for (const id of ids) await registerAt(h, 'lock', id, 120.2 + ids.indexOf(id) / 1000, 30.2);
    const feed = await openFeed(wall.port, { cookie: operator });
    t.teardown(() => feed.close());
    const snapshot = await feed.next(isSnapshot);
    await waitFor('the registrations reconciled', () => wall.feed.stats().seq >= snapshot.seq && feed.messages.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    const before = feed.messages.length;
    const { registry, bus } = h.gateway;
    const started = Date.now();
    let events = 0;
    // 2,000 availability changes spread over ~0.5 s, as a flapping network would send them.
    for (let round = 0; round < 100; round++) {
      for (const id of ids) {
        const device = registry.get(id)!;
        const online = round % 2 === 0;
        registry.setOnline(id, online, online ? null : 'disconnected');
        bus.emit('availability', { device, online, reason: online ? 'connected' : 'disconnected', at: Date.now() });
        events += 1;
      }
      if (round % 10 === 9) await new Promise((r) => setTimeout(r, 50));
    }
    const elapsed = Date.now() - started;
    await new Promise((r) => setTimeout(r, 700));
    const batches = feed.messages.slice(before).filter(isBatch);
    const withDevices = batches.filter((b) => b.devices?.some((d) => ids.includes(d[0])));
    const bound = Math.ceil(elapsed / 250) + 1;
    t.ok(withDevices.length >= 1 && withDevices.length <= bound, `${events} events over ${elapsed} ms became ${withDevices.length} batches (at most ${bound} at one per 250 ms)`);
    for (const batch of withDevices) {
      const named = batch.devices!.map((d) => d[0]);
      t.equal(new Set(named).size, named.length, `batch ${batch.seq}: each device once`);
    }
    const last = new Map<string, 0 | 1>();
    for (const batch of withDevices) for (const d of batch.devices!) last.set(d[0], d[2]);
    t.same([...new Set(last.values())], [0], 'the latest state wins: the last round put every lock offline');
  });

  await t.test('devices added or deleted through the API reach the page without a bus event', async (t) => {
    const feed = await openFeed(wall.port, { cookie: operator });
    t.teardown(() => feed.close());
    await feed.next(isSnapshot);
    await registerAt(h, 'camera', 'cam-late-1', 120.23, 30.22);
    await feed.waitFor('the new camera', (m) => isBatch(m) && deviceIn(m.devices, 'cam-late-1') !== undefined);
    t.equal((await h.http('DELETE', '/api/devices/cam-late-1')).status, 204);
    await feed.waitFor('the camera gone', (m) => isBatch(m) && m.devicesRemoved?.includes('cam-late-1') === true);
    t.pass('added and removed');
  });

  await t.test('a page that reconnects with its last seq gets only what it missed; too old or another epoch gets a snapshot', async (t) => {
    const first = await openFeed(wall.port, { cookie: operator });
    const snapshot = await first.next(isSnapshot);
    await first.close();
    const { registry, bus } = h.gateway;
    const lock = registry.get('lock-live-1')!;
    for (const online of [true, false]) {
      registry.setOnline(lock.id, online, online ? null : 'disconnected');
      bus.emit('availability', { device: lock, online, reason: online ? 'connected' : 'disconnected', at: Date.now() });
      const seq = wall.feed.stats().seq;
      await waitFor('a batch', () => wall.feed.stats().seq > seq);
    }
    const latest = wall.feed.stats().seq;
    const resumed = await openFeed(wall.port, { cookie: operator, query: `?epoch=${snapshot.epoch}&since=${snapshot.seq}` });
    t.teardown(() => resumed.close());
    const hello = (await resumed.next((m): m is ResumeMessage => m.type === 'resume')) as ResumeMessage;
    t.match(hello, { since: snapshot.seq, seq: latest });
    await resumed.waitFor('the missed batches', () => resumed.messages.filter(isBatch).length >= latest - snapshot.seq);
    const missed = resumed.messages.filter(isBatch);
    t.same(missed.map((b) => b.seq).slice(0, latest - snapshot.seq), Array.from({ length: latest - snapshot.seq }, (_, i) => snapshot.seq + 1 + i), 'every missed batch, in order');
    const states = missed.flatMap((b) => (b.devices ?? []).filter((d) => d[0] === lock.id).map((d) => d[2]));
    t.same(states, [1, 0], 'the lock went online and offline while the page was away');
    t.notOk(resumed.messages.some(isSnapshot), 'no snapshot');

    const other = await openFeed(wall.port, { cookie: operator, query: `?epoch=not-this-one&since=${snapshot.seq}` });
    t.equal((await other.next((m): m is FeedMessage => true)).type, 'snapshot', 'a seq from another gateway run means nothing: snapshot');
    await other.close();
    const future = await openFeed(wall.port, { cookie: operator, query: `?epoch=${snapshot.epoch}&since=${latest + 100}` });
    t.equal((await future.next((m): m is FeedMessage => true)).type, 'snapshot', 'a seq from the future: snapshot');
    await future.close();
  });

  await t.test('a resume too far back (out of the ring) gets a fresh snapshot', async (t) => {
    const small = await startWallServer(h, { ringSize: 2, batchMs: 50 });
    t.teardown(() => small.stop());
    const first = await openFeed(small.port, { cookie: operator });
    const snapshot = await first.next(isSnapshot);
    await first.close();
    const lock = h.gateway.registry.get('lock-live-1')!;
    for (let i = 0; i < 4; i++) {
      const seq = small.feed.stats().seq;
      h.gateway.bus.emit('availability', { device: lock, online: false, reason: 'disconnected', at: Date.now() });
      await waitFor('a batch', () => small.feed.stats().seq > seq);
    }
    const again = await openFeed(small.port, { cookie: operator, query: `?epoch=${snapshot.epoch}&since=${snapshot.seq}` });
    const message = await again.next((m): m is FeedMessage => true);
    t.equal(message.type, 'snapshot');
    t.ok((message as SnapshotMessage).seq >= snapshot.seq + 4, 'the snapshot is current');
    await again.close();
  });

  await t.test('each role sees its share: the brigade gets cameras, fire detectors and their incidents, in snapshots, batches and resumes', async (t) => {
    const brigade = cookieFor('brigade');
    const hidden = ['aud-lock', 'aud-ebike'];
    await registerAt(h, 'lock', 'aud-lock', 120.24, 30.23);
    await registerAt(h, 'ebike-station', 'aud-ebike', 120.25, 30.23);
    await registerAt(h, 'camera', 'aud-cam', 120.26, 30.23);
    await registerAt(h, 'fire', 'aud-fd', 120.27, 30.23);
    const store = h.gateway.response.incidents;
    const openIncident = (kind: 'lock' | 'fire', deviceId: string, key: string) =>
      store.open(
        kind === 'lock'
          ? { ruleId: 'card-not-registered', key, severity: 'orange', title: 'Unknown card', summary: `a resident's card at ${deviceId}`, kind, site: 'testvillage', deviceId }
          : { ruleId: 'fire-alarm', key, severity: 'orange', title: 'Fire alarm', summary: 'smoke', kind, site: 'testvillage', deviceId },
        Date.now(),
        'test',
      );
    const lockBefore = openIncident('lock', 'aud-lock', 'aud-lock-1');
    const fireBefore = openIncident('fire', 'aud-fd', 'aud-fd-1');
    t.teardown(() => {
      for (const incident of store.list({ open: true, limit: 1000 })) if (incident.deviceId.startsWith('aud-')) store.transition(incident.id, 'resolved', Date.now(), 'test', 'resolved');
    });
    // A private bus: the test decides what one batch carries.
    const bus = new EventBus<GatewayEvents>(h.gateway.log);
    const own = await startWallServer(h, { bus, batchMs: 100 });
    t.teardown(() => own.stop());

    const op = await openFeed(own.port, { cookie: operator });
    t.teardown(() => op.close());
    const fire = await openFeed(own.port, { cookie: brigade });
    t.teardown(() => fire.close());
    const away = await openFeed(own.port, { cookie: brigade });
    const [opSnapshot, fireSnapshot, awaySnapshot] = await Promise.all([op.next(isSnapshot), fire.next(isSnapshot), away.next(isSnapshot)]);
    await away.close();

    const ids = (devices: WireDevice[] | undefined, among: string[]) => (devices ?? []).map((d) => d[0]).filter((id) => among.includes(id)).sort();
    const ours = ['aud-cam', 'aud-ebike', 'aud-fd', 'aud-lock'];
    t.same(ids(opSnapshot.devices, ours), ours, 'the operator: every device');
    t.same(ids(fireSnapshot.devices, ours), ['aud-cam', 'aud-fd'], 'the brigade: the camera and the detector');
    t.same([...new Set(fireSnapshot.devices.map((d) => d[1]))].sort(), ['camera', 'fire'], 'no other kind at all');
    t.ok(opSnapshot.incidents.some((i) => i.id === lockBefore.id) && opSnapshot.incidents.some((i) => i.id === fireBefore.id), 'the operator: both incidents');
    t.same(fireSnapshot.incidents.map((i) => i.id), [fireBefore.id], 'the brigade: the fire incident only');
    t.same(fireSnapshot.seq, opSnapshot.seq, 'one sequence for everyone');
    t.same(fireSnapshot.counters.total, opSnapshot.counters.total, 'counters as for everyone');

    // One batch: four devices change and two incidents open.
    const { registry } = h.gateway;
    const lockNow = openIncident('lock', 'aud-lock', 'aud-lock-2');
    const fireNow = openIncident('fire', 'aud-fd', 'aud-fd-2');
    for (const id of ours) {
      registry.setOnline(id, true, null);
      bus.emit('availability', { device: registry.get(id)!, online: true, reason: 'connected', at: Date.now() });
    }
    bus.emit('incident', lockNow);
    bus.emit('incident', fireNow);
    const opBatch = (await op.waitFor('the batch', (m) => isBatch(m) && ids(m.devices, ours).length === 4)) as BatchMessage;
    t.same(ids(opBatch.devices, ours), ours, 'the operator: all four devices in one batch');
    t.same(opBatch.incidents?.map((i) => i.id).sort(), [lockNow.id, fireNow.id].sort(), 'and both incidents');
    t.ok(opBatch.ticker?.some((e) => e.incidentId === lockNow.id), 'and the lock incident on the ticker');
    const fireBatch = (await fire.waitFor('the same batch', (m) => isBatch(m) && m.seq === opBatch.seq)) as BatchMessage;
    t.same(ids(fireBatch.devices, ours), ['aud-cam', 'aud-fd'], 'the brigade: the camera and the detector');
    t.same(fireBatch.incidents?.map((i) => i.id), [fireNow.id], 'the fire incident only');
    t.same(fireBatch.ticker?.map((e) => e.incidentId), [fireNow.id], 'the ticker has only the fire incident');

    // Devices deleted: the brigade is not told the lock's id.
    t.equal((await h.http('DELETE', '/api/devices/aud-lock')).status, 204);
    t.equal((await h.http('DELETE', '/api/devices/aud-cam')).status, 204);
    const removed = (c: typeof op) => c.messages.filter(isBatch).flatMap((m) => m.devicesRemoved ?? []);
    await op.waitFor('both removals', () => removed(op).includes('aud-lock') && removed(op).includes('aud-cam'));
    const last = op.messages.filter(isBatch).at(-1)!.seq;
    await fire.waitFor('the brigade has caught up', (m) => isBatch(m) && m.seq >= last);
    t.same(removed(fire), ['aud-cam'], 'the brigade hears of the camera removed, not the lock');

    const opSeqs = op.messages.filter(isBatch).map((m) => m.seq);
    t.same(fire.messages.filter(isBatch).map((m) => m.seq), opSeqs, 'the brigade gets every seq (some batches empty for it): no gap');
    const brigadeText = JSON.stringify(fire.messages);
    for (const id of hidden) t.notOk(brigadeText.includes(id), `no brigade frame names ${id}`);
    for (const id of hidden) t.ok(JSON.stringify(op.messages).includes(id), `the operator's frames do name ${id}`);

    // The page that was away resumes: its own audience's frames from the ring.
    const resumed = await openFeed(own.port, { cookie: brigade, query: `?epoch=${awaySnapshot.epoch}&since=${awaySnapshot.seq}` });
    t.teardown(() => resumed.close());
    const hello = (await resumed.next((m): m is ResumeMessage => m.type === 'resume')) as ResumeMessage;
    t.equal(hello.since, awaySnapshot.seq);
    const count = hello.seq - hello.since;
    await resumed.waitFor('the missed batches', () => resumed.messages.filter(isBatch).length >= count);
    const missed = resumed.messages.filter(isBatch).slice(0, count);
    t.same(missed.map((m) => m.seq), Array.from({ length: count }, (_, i) => hello.since + 1 + i), 'every missed batch, in order');
    const replayed = JSON.stringify(missed);
    for (const id of hidden) t.notOk(replayed.includes(id), `the replay does not name ${id}`);
    t.same(ids(missed.flatMap((m) => m.devices ?? []), ours).filter((id, i, all) => all.indexOf(id) === i), ['aud-cam', 'aud-fd'], 'the replay has the camera and the detector');
    t.same(missed.flatMap((m) => m.incidents ?? []).map((i) => i.id), [fireNow.id], 'and the fire incident only');
    t.same(missed.flatMap((m) => m.devicesRemoved ?? []), ['aud-cam']);
    const fireSame = fire.messages.filter(isBatch).filter((m) => m.seq <= hello.seq);
    t.same(missed, fireSame, 'the very frames the connected brigade page got');

    // An operator resuming from the same point gets the operators' frames.
    const opResumed = await openFeed(own.port, { cookie: operator, query: `?epoch=${awaySnapshot.epoch}&since=${awaySnapshot.seq}` });
    t.teardown(() => opResumed.close());
    await opResumed.waitFor('the missed batches', () => opResumed.messages.filter(isBatch).length >= count);
    t.ok(JSON.stringify(opResumed.messages).includes('aud-lock'), "the operator's replay has the lock");
  });

  await t.test('maintenance windows: planned through the API, in the next batch and in a new snapshot; ending one updates the list', async (t) => {
    const op = await openFeed(wall.port, { cookie: operator });
    t.teardown(() => op.close());
    const fire = await openFeed(wall.port, { cookie: cookieFor('brigade') });
    t.teardown(() => fire.close());
    const first = await op.next(isSnapshot);
    await fire.next(isSnapshot);
    t.same(first.maintenance, [], 'none planned yet');
    t.equal(first.deviceFields.at(-1), 'maintenance', 'devices carry the window covering them');
    t.equal(deviceIn(first.devices, 'fd-live-1')?.[7], null, 'not covered');

    const now = Date.now();
    const planned = await h.http('POST', '/api/maintenance', { site: 'testvillage', scope: 'device', target: 'fd-live-1', reason: 'replacing the detector head', endsAt: now + 3600_000 });
    t.equal(planned.status, 201, planned.text);
    const id = planned.json.id as number;
    const batch = (await op.waitFor('the window in a batch', (m) => isBatch(m) && m.maintenance?.some((w) => w.id === id) === true)) as BatchMessage;
    t.match(batch.maintenance, [{ id, site: 'testvillage', scope: 'device', target: 'fd-live-1', reason: 'replacing the detector head', endsAt: now + 3600_000, status: 'active', kind: 'fire' }]);
    t.equal(deviceIn(batch.devices, 'fd-live-1')?.[7], id, 'the detector is re-sent, covered by the window, in the same batch');

    const later = await h.http('POST', '/api/maintenance', { site: 'testvillage', scope: 'device', target: 'lock-live-1', reason: 'new lock cylinder', startsAt: now + 7200_000, endsAt: now + 9000_000 });
    t.equal(later.status, 201, later.text);
    const laterId = later.json.id as number;
    const both = (await op.waitFor('the upcoming window', (m) => isBatch(m) && m.maintenance?.some((w) => w.id === laterId) === true)) as BatchMessage;
    t.same(both.maintenance?.map((w) => [w.id, w.status]), [[id, 'active'], [laterId, 'upcoming']], 'planned ahead: listed as upcoming (creating it started nothing)');
    const fireBatch = (await fire.waitFor('the same batch', (m) => isBatch(m) && m.seq === both.seq)) as BatchMessage;
    t.same(fireBatch.maintenance?.map((w) => w.id), [id], 'the brigade: the window on the detector, not the one on the lock');

    const fresh = await openFeed(wall.port, { cookie: operator });
    const snapshot = await fresh.next(isSnapshot);
    await fresh.close();
    t.same(snapshot.maintenance.map((w) => [w.id, w.status, w.reason]), [[id, 'active', 'replacing the detector head'], [laterId, 'upcoming', 'new lock cylinder']], 'a new page gets both in its snapshot');
    t.equal(deviceIn(snapshot.devices, 'fd-live-1')?.[7], id, 'and the detector covered');
    t.equal(deviceIn(snapshot.devices, 'lock-live-1')?.[7], null, 'the lock not yet');
    const brigadeFresh = await openFeed(wall.port, { cookie: cookieFor('brigade') });
    const brigadeSnapshot = await brigadeFresh.next(isSnapshot);
    await brigadeFresh.close();
    t.same(brigadeSnapshot.maintenance.map((w) => w.id), [id], "the brigade's snapshot: no lock window");

    t.equal((await h.http('POST', `/api/maintenance/${id}/end`)).status, 200);
    const ended = (await op.waitFor('the window ended', (m) => isBatch(m) && m.maintenance !== undefined && !m.maintenance.some((w) => w.id === id))) as BatchMessage;
    t.same(ended.maintenance?.map((w) => w.id), [laterId], 'ending it leaves only the upcoming one');
    t.equal(deviceIn(ended.devices, 'fd-live-1')?.[7], null, 'and the detector is no longer covered');
    t.equal((await h.http('POST', `/api/maintenance/${laterId}/end`)).status, 200, 'cancelling the planned one');
    const cancelled = (await op.waitFor('the list empty', (m) => isBatch(m) && m.maintenance?.length === 0)) as BatchMessage;
    t.same(cancelled.maintenance, []);
    const fireEmpty = (await fire.waitFor('the brigade list empty', (m) => isBatch(m) && m.maintenance?.length === 0)) as BatchMessage;
    t.ok(fireEmpty.seq <= cancelled.seq, 'the brigade is told too');
  });

  await t.test('a page whose person changes to a role of another audience is closed, and reopens with its new share', async (t) => {
    const created = await h.http('POST', '/api/accounts', { username: 'wall-demoted', displayName: 'Moves to the brigade', role: 'operator', password: 'correct horse battery' });
    t.equal(created.status, 201, created.text);
    const login = await fetch(`http://127.0.0.1:${h.addresses.httpPort}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'wall-demoted', password: 'correct horse battery' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const strict = await startWallServer(h, { recheckMs: 100 });
    t.teardown(() => strict.stop());
    const open = await openFeed(strict.port, { cookie });
    t.ok((await open.next(isSnapshot)).devices.some((d) => d[1] === 'lock'), 'as an operator: the locks');
    const closed = new Promise<number>((resolve) => open.ws.once('close', (code) => resolve(code)));
    t.equal((await h.http('PATCH', '/api/accounts/wall-demoted', { role: 'brigade' })).status, 200);
    t.equal(await closed, 4401, 'the operator picture is not kept');
    const again = await openFeed(strict.port, { cookie });
    t.teardown(() => again.close());
    const snapshot = await again.next(isSnapshot);
    t.notOk(snapshot.devices.some((d) => d[1] === 'lock'), 'as the brigade: no locks');
  });

  await t.test('a page that cannot keep up is dropped instead of buffered without bound', async (t) => {
    // A private bus: only this feed listens, so the flood measures the feed, not the rule engine.
    const bus = new EventBus<GatewayEvents>(h.gateway.log);
    const slow = await startWallServer(h, { bus, batchMs: 10, maxBufferedBytes: 256 * 1024 });
    t.teardown(() => slow.stop());
    const socket = tcpConnect(slow.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      [
        'GET /ws HTTP/1.1',
        `Host: 127.0.0.1:${slow.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
        `Cookie: ${operator}`,
        '',
        '',
      ].join('\r\n'),
    );
    // Reads the 101 answer and then nothing more: the kernel buffers fill, then the feed's own queue.
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause();
    let closed = false;
    socket.on('close', () => void (closed = true));
    socket.on('error', () => undefined);
    // Big devices (long names) so a few batches exceed what the kernel's socket buffers absorb.
    const now = Date.now();
    const devices = Array.from({ length: 200 }, (_, i) =>
      h.gateway.registry.register({ id: `lock-flood-${i}`, site: 'testvillage', kind: 'lock', model: 'anmen/l3', name: `${i}`.padEnd(4000, '.') }, 'not-a-secret-hash', now),
    );
    const started = Date.now();
    let emitted = 0;
    while (slow.feed.stats().dropped === 0 && Date.now() - started < 20_000) {
      for (const device of devices) bus.emit('availability', { device, online: device.online, reason: 'connected', at: Date.now() });
      emitted += devices.length;
      await new Promise((r) => setTimeout(r, 10));
    }
    t.equal(slow.feed.stats().dropped, 1, `dropped after ${Date.now() - started} ms (${emitted} events for ${devices.length} devices)`);
    t.equal(slow.feed.stats().clients, 0);
    await waitFor('the socket closed', () => {
      socket.resume();
      return closed;
    });
    t.pass('its connection is closed; a real page reconnects and resumes or gets a snapshot');
  });
});
