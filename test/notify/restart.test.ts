import t, { type Test } from 'tap';
import type { Incident } from '../../src/incidents/incident-store.js';
import { EventBus } from '../../src/event-bus.js';
import type { GatewayEvents } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { wireBrigadeNotifications } from '../../src/notify/wire.js';
import { changed, incident, notifyFixture, sleep, startReceiver, waitFor, type Fixture, type Receiver } from './helpers.js';

const LIFE = [{ status: 'dispatched', teamId: 'T1' }, { severity: 'red' }, { status: 'accepted' }, { status: 'arrived' }, { status: 'resolved' }] as const;

/** One gateway "process": a bus wired to the fixture's current database, and a running dispatcher. */
function boot(f: Fixture) {
  const bus = new EventBus<GatewayEvents>(createLogger('silent'));
  const unwire = wireBrigadeNotifications(bus, { subscriptions: f.subscriptions, outbox: f.outbox });
  const dispatcher = f.dispatcher({ concurrency: 3 });
  dispatcher.start();
  return {
    bus,
    async shutdown() {
      unwire();
      await dispatcher.stop();
    },
  };
}

/** Asserts what the receiver's system acted on: every key the gateway enqueued, once each, and per incident in sequence order. */
function assertExactlyOnce(t: Test, f: Fixture, receiver: Receiver): void {
  const enqueued = f.outbox.list({ limit: 1000 });
  const accepted = receiver.accepted();
  t.same([...accepted.keys()].sort(), enqueued.map((d) => d.idempotencyKey).sort(), 'every enqueued key reached the receiver; none is lost, none invented');
  t.ok(receiver.requests.every((r) => r.valid), 'every request verified');
  const byIncident = new Map<number, number[]>();
  for (const r of accepted.values()) byIncident.set(r.payload.incident.id, [...(byIncident.get(r.payload.incident.id) ?? []), r.payload.sequence]);
  for (const [id, sequences] of byIncident) t.same(sequences, [...sequences].sort((a, b) => a - b), `incident ${id} acted on in order`);
  t.same(f.outbox.counts(), { pending: 0, delivered: enqueued.length, failed: 0, dead: 0 });
}


t.test('a restart while the receiver is down: every notification still arrives, exactly once per key', async (t) => {
  const f = notifyFixture(t);
  let secret = '';
  const receiver = await startReceiver(t, () => secret);
  secret = f.subscriptions.create({ name: 'brigade', url: receiver.url, severities: ['red', 'orange'] }).secret;

  let gateway = boot(f);
  const incidents = new Map<number, Incident>();
  const step = (id: number, index: number) => {
    const next = changed(incidents.get(id)!, LIFE[index]!);
    incidents.set(id, next);
    gateway.bus.emit('incident', next);
  };
  const open = () => {
    const i = incident();
    incidents.set(i.id, i);
    gateway.bus.emit('incident', i);
    gateway.bus.emit('brigade', { incident: i, reason: 'fire alarm' });
    return i.id;
  };

  // Up: two incidents opened and dispatched, delivered.
  const a = open();
  const b = open();
  step(a, 0);
  step(b, 0);
  await waitFor(() => receiver.accepted().size === 4, 'the first four');

  // The receiver goes down; the gateway keeps producing.
  await receiver.down();
  step(a, 1);
  step(a, 2);
  const c = open();
  step(c, 0);
  await waitFor(() => f.outbox.list({ status: 'pending', limit: 100 }).some((d) => d.attempts >= 2), 'refused attempts');
  t.match(f.outbox.attempts(f.outbox.list({ status: 'pending', limit: 100 }).find((d) => d.attempts >= 2)!.id)[0]!.error, /ECONNREFUSED/);

  // Restart: stop, close the database, open it again from the same file, start again.
  await gateway.shutdown();
  f.reopen();
  gateway = boot(f);
  // More changes after the restart, for incidents pushed before it: derived from the stored state.
  step(b, 1);
  step(a, 3);
  step(c, 1);
  await sleep(150); // still down: a few more refused attempts
  t.equal(receiver.accepted().size, 4, 'nothing got through while down');

  await receiver.up();
  step(a, 4);
  step(b, 2);
  await waitFor(() => f.outbox.counts().pending === 0, 'the outbox drained', 10_000);
  assertExactlyOnce(t, f, receiver);
  const sequencesOfA = [...receiver.accepted().values()].filter((r) => r.payload.incident.id === a).map((r) => r.payload.update);
  t.same(sequencesOfA, ['opened', 'dispatched', 'severity_raised', 'accepted', 'arrived', 'resolved']);
  await gateway.shutdown();
});

t.test('a restart while a request is in flight: the receiver sees the key twice and acts once', async (t) => {
  const f = notifyFixture(t);
  let secret = '';
  const receiver = await startReceiver(t, () => secret);
  secret = f.subscriptions.create({ name: 'brigade', url: receiver.url }).secret;
  receiver.delayMs = 60_000; // acts, but the answer never comes in time

  let gateway = boot(f);
  const first = incident();
  gateway.bus.emit('brigade', { incident: first, reason: 'alarm' });
  await waitFor(() => receiver.requests.length === 1, 'the request to arrive');
  await gateway.shutdown(); // aborts the request in flight
  const [delivery] = f.outbox.list({ limit: 1 });
  t.match(delivery, { status: 'pending', attempts: 0 }, 'an aborted attempt is not a failure');
  t.match(f.outbox.attempts(delivery!.id), [{ outcome: 'aborted', statusCode: null }]);

  f.reopen();
  receiver.delayMs = 0;
  gateway = boot(f);
  await waitFor(() => f.outbox.counts().delivered === 1, 'delivered after the restart');
  t.same(receiver.requests.map((r) => r.key), [delivery!.idempotencyKey, delivery!.idempotencyKey], 'sent twice with the same key');
  assertExactlyOnce(t, f, receiver);
  await gateway.shutdown();
});
