import t from 'tap';
import { EventBus } from '../../src/event-bus.js';
import type { GatewayEvents } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { DEFAULT_USER_AGENT } from '../../src/notify/webhook-dispatcher.js';
import { wireBrigadeNotifications } from '../../src/notify/wire.js';
import { changed, incident, notifyFixture, sleep, startReceiver, waitFor, type Receiver, type Teardown } from './helpers.js';

async function setup(t: Teardown, options: { severities?: ('red' | 'orange')[] } = {}) {
  const f = notifyFixture(t);
  let secret = '';
  const receiver = await startReceiver(t, () => secret);
  const created = f.subscriptions.create({ name: 'brigade', url: receiver.url, ...(options.severities ? { severities: options.severities } : {}) });
  secret = created.secret;
  const bus = new EventBus<GatewayEvents>(createLogger('silent'));
  t.teardown(wireBrigadeNotifications(bus, { subscriptions: f.subscriptions, outbox: f.outbox }));
  return { f, receiver, bus, subscription: created.subscription };
}

/** Emits an incident's whole life: told to the brigade, dispatched, accepted, arrived, resolved. */
function lifeOf(bus: EventBus<GatewayEvents>, start = incident()) {
  let current = start;
  bus.emit('incident', current);
  bus.emit('brigade', { incident: current, reason: 'fire alarm confirmed' });
  for (const change of [{ status: 'dispatched', teamId: 'T1' }, { status: 'accepted' }, { status: 'arrived' }, { status: 'resolved' }] as const) {
    current = changed(current, change);
    bus.emit('incident', current);
  }
  return current;
}

const sequenceOf = (receiver: Receiver, incidentId: number) =>
  [...receiver.accepted().values()].filter((r) => r.payload.incident.id === incidentId).map((r) => `${r.payload.sequence}:${r.payload.update}`);

t.test('every webhook is signed as documented and carries its idempotency key, in order', async (t) => {
  const { f, receiver, bus } = await setup(t);
  f.dispatcher().start();
  const one = lifeOf(bus);
  // The receiver sees a request before the gateway records its answer: wait for both.
  await waitFor(() => receiver.accepted().size === 5 && f.outbox.counts().delivered === 5, '5 deliveries');
  t.ok(receiver.requests.every((r) => r.valid), 'every signature verifies with HMAC-SHA-256(secret, timestamp + "." + rawBody)');
  t.ok(receiver.requests.every((r) => r.userAgent === DEFAULT_USER_AGENT && /^v1=[0-9a-f]{64}$/.test(r.signature) && /^\d{10}$/.test(r.timestamp)));
  t.ok(receiver.requests.every((r) => r.key === r.payload.id));
  t.same(sequenceOf(receiver, one.id), ['1:opened', '2:dispatched', '3:accepted', '4:arrived', '5:resolved']);
  t.same(receiver.requests.map((r) => r.payload.type), ['incident.opened', 'incident.updated', 'incident.updated', 'incident.updated', 'incident.resolved']);
  t.match(receiver.requests[0]!.payload, { reason: 'fire alarm confirmed', incident: { id: one.id, kind: 'fire', severity: 'orange', status: 'open' } });
  t.same(f.outbox.counts(), { pending: 0, delivered: 5, failed: 0, dead: 0 });
  const attempts = f.outbox.attempts(f.outbox.list({ limit: 1 })[0]!.id);
  t.match(attempts, [{ statusCode: 204, error: null, outcome: 'delivered' }]);
  t.ok(attempts[0]!.durationMs >= 0);
});

t.test('a subscription for red only gets nothing for an orange fire, then the opening when it turns red', async (t) => {
  const { f, receiver, bus } = await setup(t, { severities: ['red'] });
  f.dispatcher().start();
  let current = incident({ severity: 'orange' });
  bus.emit('brigade', { incident: current, reason: 'alarm' });
  await sleep(100);
  t.equal(receiver.requests.length, 0);
  current = changed(current, { severity: 'red' });
  bus.emit('incident', current);
  await waitFor(() => receiver.accepted().size === 1, 'the opening');
  t.match(receiver.requests[0]!.payload, { type: 'incident.opened', reason: 'severity raised to red', incident: { severity: 'red' } });
});

t.test('a receiver that answers 500 for a while gets the same key again until it recovers; order is kept', async (t) => {
  const { f, receiver, bus } = await setup(t);
  // The opening fails three times (one 503 with Retry-After), the update after it once.
  receiver.respond = (r, count) => {
    if (r.payload.update === 'opened' && count <= 3) return count === 2 ? { status: 503, headers: { 'retry-after': '0' } } : { status: 500 };
    if (r.payload.update === 'dispatched' && count === 1) return { status: 500 };
    return { status: 200 };
  };
  f.dispatcher().start();
  const one = lifeOf(bus);
  const two = lifeOf(bus);
  await waitFor(() => receiver.accepted().size === 10 && f.outbox.counts().delivered === 10, '10 deliveries');
  t.same(sequenceOf(receiver, one.id), ['1:opened', '2:dispatched', '3:accepted', '4:arrived', '5:resolved'], 'update N+1 never before N');
  t.same(sequenceOf(receiver, two.id), ['1:opened', '2:dispatched', '3:accepted', '4:arrived', '5:resolved']);
  for (const id of [one.id, two.id]) {
    const seen = receiver.requests.filter((r) => r.payload.incident.id === id).map((r) => `${r.payload.sequence}:${r.status}`);
    t.same(seen, ['1:500', '1:503', '1:500', '1:200', '2:500', '2:200', '3:200', '4:200', '5:200'], 'no later update was sent while an earlier one was pending');
  }
  const opening = f.outbox.list({ incidentId: one.id, limit: 10 }).find((d) => d.update === 'opened')!;
  t.equal(new Set(receiver.requests.filter((r) => r.payload.incident.id === one.id && r.payload.sequence === 1).map((r) => r.key)).size, 1, 'one key for all four attempts');
  t.match(opening, { status: 'delivered', attempts: 4, lastStatusCode: 200 });
  t.same(
    f.outbox.attempts(opening.id).map((a) => `${a.outcome}:${a.statusCode}`),
    ['delivered:200', 'retry:500', 'retry:503', 'retry:500'],
    'every attempt logged, newest first',
  );
  t.match(f.outbox.attempts(opening.id)[3]!.error, /^HTTP 500: refused with 500/);
});

t.test('4xx fails for good at once; a refused network stays pending and is retried', async (t) => {
  const { f, receiver, bus, subscription } = await setup(t);
  receiver.respond = (r) => (r.payload.update === 'opened' ? { status: 422 } : { status: 204 });
  f.dispatcher().start();
  const one = incident();
  bus.emit('brigade', { incident: one, reason: 'alarm' });
  await waitFor(() => f.outbox.counts().failed === 1, 'the failure');
  await sleep(150);
  t.equal(receiver.requests.length, 1, 'not retried');
  const failed = f.outbox.list({ status: 'failed', limit: 1 })[0]!;
  t.match(failed, { subscriptionId: subscription.id, lastStatusCode: 422, attempts: 1, lastError: /HTTP 422/ });

  // The next update still goes out: it carries the whole incident.
  bus.emit('incident', changed(one, { status: 'dispatched', teamId: 'T1' }));
  await waitFor(() => receiver.accepted().size === 1, 'the update after a failure');

  // By hand: retried with the same key and body.
  receiver.respond = () => ({ status: 204 });
  t.equal(f.outbox.retry(failed.id) !== undefined, true);
  await waitFor(() => f.outbox.get(failed.id)?.status === 'delivered', 'the manual retry');
  const keys = receiver.requests.filter((r) => r.payload.sequence === 1).map((r) => r.key);
  t.same(keys, [failed.idempotencyKey, failed.idempotencyKey]);
  t.equal(f.outbox.retry(failed.id), 'delivered');
});

t.test('a receiver that never answers: the request times out and is retried; after the horizon the delivery is dead', async (t) => {
  const f = notifyFixture(t);
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const freePort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const { subscription } = f.subscriptions.create({ name: 'unreachable', url: `http://127.0.0.1:${freePort}/nothing-listens-here` });
  const bus = new EventBus<GatewayEvents>(createLogger('silent'));
  t.teardown(wireBrigadeNotifications(bus, { subscriptions: f.subscriptions, outbox: f.outbox }));
  f.dispatcher({ policy: { initialMs: 10, maxMs: 20, giveUpAfterMs: 60_000, timeoutMs: 500 } }).start();
  bus.emit('brigade', { incident: incident(), reason: 'alarm' });
  await waitFor(() => (f.outbox.list({ limit: 1 })[0]?.attempts ?? 0) >= 3, 'three refused attempts');
  t.equal(f.outbox.counts().pending, 1, 'still pending while within the horizon');
  t.match(f.outbox.attempts(f.outbox.list({ limit: 1 })[0]!.id)[0]!.error, /ECONNREFUSED/);
  f.clock.offsetMs += 61_000; // past the horizon, in test time
  await waitFor(() => f.outbox.counts().dead === 1, 'given up');
  t.match(f.outbox.list({ subscriptionId: subscription.id, status: 'dead', limit: 1 })[0], { status: 'dead' });
});

t.test('requests time out', async (t) => {
  const f = notifyFixture(t);
  const { createServer } = await import('node:http');
  const hanging = createServer(() => undefined); // reads the request, never answers
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    hanging.closeAllConnections();
    hanging.close();
  });
  const port = (hanging.address() as { port: number }).port;
  f.subscriptions.create({ name: 'slow', url: `http://127.0.0.1:${port}/` });
  const bus = new EventBus<GatewayEvents>(createLogger('silent'));
  t.teardown(wireBrigadeNotifications(bus, { subscriptions: f.subscriptions, outbox: f.outbox }));
  f.dispatcher({ policy: { initialMs: 10_000, maxMs: 10_000, timeoutMs: 150 } }).start();
  bus.emit('brigade', { incident: incident(), reason: 'alarm' });
  await waitFor(() => (f.outbox.list({ limit: 1 })[0]?.attempts ?? 0) === 1, 'the timed-out attempt');
  t.match(f.outbox.attempts(f.outbox.list({ limit: 1 })[0]!.id)[0], { outcome: 'retry', statusCode: null, error: /timeout/ });
});

t.test('deliveries of a disabled subscription wait; deleting it drops them', async (t) => {
  const { f, receiver, bus, subscription } = await setup(t);
  f.subscriptions.update(subscription.id, { enabled: true });
  const dispatcher = f.dispatcher();
  bus.emit('brigade', { incident: incident(), reason: 'alarm' });
  f.subscriptions.update(subscription.id, { enabled: false });
  dispatcher.start();
  await sleep(150);
  t.equal(receiver.requests.length, 0);
  f.subscriptions.update(subscription.id, { enabled: true });
  dispatcher.wake();
  await waitFor(() => receiver.accepted().size === 1, 'the held delivery');
  t.ok(f.subscriptions.delete(subscription.id));
  t.same(f.outbox.counts(), { pending: 0, delivered: 0, failed: 0, dead: 0 });
});
