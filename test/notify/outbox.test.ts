import t from 'tap';
import { EventBus } from '../../src/event-bus.js';
import type { GatewayEvents } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { wireBrigadeNotifications } from '../../src/notify/wire.js';
import { changed, incident, notifyFixture, type Fixture } from './helpers.js';

const URL = 'http://127.0.0.1:8999/hooks';

function wired(f: Fixture) {
  const bus = new EventBus<GatewayEvents>(createLogger('silent'));
  const off = wireBrigadeNotifications(bus, { subscriptions: f.subscriptions, outbox: f.outbox });
  return { bus, off };
}

const summary = (f: Fixture, incidentId: number) =>
  f.outbox
    .list({ incidentId, limit: 100 })
    .reverse()
    .map((d) => `${f.subscriptions.get(d.subscriptionId)?.name}:${d.type}:${d.update}:v${d.version}`);

t.test('matching: a subscription gets only the kinds and severities it asked for', async (t) => {
  const f = notifyFixture(t);
  f.subscriptions.create({ name: 'fire-red', url: URL, kinds: ['fire'], severities: ['red'] });
  f.subscriptions.create({ name: 'fire-red-orange', url: URL, kinds: ['fire'], severities: ['red', 'orange'] });
  f.subscriptions.create({ name: 'lock-all', url: URL, kinds: ['lock'], severities: ['red', 'orange', 'blue', 'green'] });
  f.subscriptions.create({ name: 'default', url: URL });
  f.subscriptions.create({ name: 'off', url: URL, enabled: false });
  const { bus } = wired(f);

  const orangeFire = incident({ severity: 'orange', kind: 'fire' });
  bus.emit('brigade', { incident: orangeFire, reason: 'fire alarm' });
  t.same(summary(f, orangeFire.id), ['fire-red-orange:incident.opened:opened:v1', 'default:incident.opened:opened:v1']);

  const blueFire = incident({ severity: 'blue' });
  bus.emit('brigade', { incident: blueFire, reason: 'detector fault' });
  t.same(summary(f, blueFire.id), [], 'default subscriptions want red and orange fire only');

  const redLock = incident({ severity: 'red', kind: 'lock' });
  bus.emit('brigade', { incident: redLock, reason: 'blacklisted card' });
  t.same(summary(f, redLock.id), ['lock-all:incident.opened:opened:v1']);

  const body = f.outbox.body(f.outbox.list({ incidentId: orangeFire.id, limit: 1 })[0]!.id)!;
  t.match(body, { type: 'incident.opened', update: 'opened', sequence: 1, reason: 'fire alarm', incident: { id: orangeFire.id, severity: 'orange', kind: 'fire', place: 'Furniture Factory 7' } });
  t.equal(body.id, f.outbox.list({ incidentId: orangeFire.id, limit: 1 })[0]!.idempotencyKey, 'the body id is the idempotency key');
});

t.test('updates are derived from successive incident events, only for incidents already pushed', async (t) => {
  const f = notifyFixture(t);
  f.subscriptions.create({ name: 'brigade', url: URL });
  const { bus, off } = wired(f);

  const quiet = incident();
  bus.emit('incident', quiet);
  bus.emit('incident', changed(quiet, { status: 'dispatched', teamId: 'T1' }));
  t.same(summary(f, quiet.id), [], 'an incident the brigade was never told about is not pushed');

  let current = incident();
  bus.emit('incident', current); // opened, before the brigade is told
  bus.emit('brigade', { incident: current, reason: 'confirmed fire' });
  bus.emit('incident', current); // the gateway emits the same state right after the brigade event
  const steps: [Partial<typeof current>, string][] = [
    [{ acknowledgedAt: 1, acknowledgedBy: 'olga' }, ''],
    [{ etaSeconds: 80 }, ''],
    [{ status: 'dispatched', teamId: 'T1', dispatchedAt: 2 }, 'dispatched'],
    [{ status: 'dispatched', teamId: 'T2' }, 'redispatched'],
    [{ severity: 'red', title: 'Confirmed fire' }, 'severity_raised'],
    [{ status: 'accepted', acceptedAt: 3 }, 'accepted'],
    [{ status: 'arrived', arrivedAt: 4 }, 'arrived'],
    [{ status: 'resolved', closedAt: 5 }, 'resolved'],
  ];
  for (const [change] of steps) {
    current = changed(current, change);
    bus.emit('incident', current);
    bus.emit('incident', current); // repeated: no second delivery
  }
  t.same(summary(f, current.id), [
    'brigade:incident.opened:opened:v1',
    'brigade:incident.updated:dispatched:v2',
    'brigade:incident.updated:redispatched:v3',
    'brigade:incident.updated:severity_raised:v4',
    'brigade:incident.updated:accepted:v5',
    'brigade:incident.updated:arrived:v6',
    'brigade:incident.resolved:resolved:v7',
  ]);
  const last = f.outbox.list({ incidentId: current.id, limit: 1 })[0]!;
  t.match(f.outbox.body(last.id), { type: 'incident.resolved', sequence: 7, previous: { status: 'arrived', severity: 'red', teamId: 'T2' }, incident: { status: 'resolved', severity: 'red' } });

  off();
  bus.emit('brigade', { incident: incident(), reason: 'after unsubscribe' });
  t.equal(f.outbox.counts().pending, 7, 'unsubscribed: nothing more');
});

t.test('cancelled incidents and two changes at once', async (t) => {
  const f = notifyFixture(t);
  f.subscriptions.create({ name: 'brigade', url: URL });
  const { bus } = wired(f);
  let current = incident();
  bus.emit('brigade', { incident: current, reason: 'alarm' });
  current = changed(current, { status: 'escalated', severity: 'red', teamId: 'T1', targetAtRisk: true });
  bus.emit('incident', current);
  current = changed(current, { status: 'cancelled', closedAt: 9 });
  bus.emit('incident', current);
  t.same(summary(f, current.id), ['brigade:incident.opened:opened:v1', 'brigade:incident.updated:escalated:v2', 'brigade:incident.cancelled:cancelled:v3']);
  const escalated = f.outbox.list({ incidentId: current.id, limit: 10 })[1]!;
  t.same(f.outbox.body(escalated.id)?.changes, ['escalated', 'severity_raised']);
});

t.test('a subscription that did not match joins with incident.opened when the severity is raised into its filter', async (t) => {
  const f = notifyFixture(t);
  f.subscriptions.create({ name: 'all-fire', url: URL, severities: ['red', 'orange'] });
  f.subscriptions.create({ name: 'red-only', url: URL, severities: ['red'] });
  const { bus } = wired(f);
  let current = incident({ severity: 'orange' });
  bus.emit('brigade', { incident: current, reason: 'alarm' });
  current = changed(current, { severity: 'red' });
  bus.emit('incident', current);
  current = changed(current, { status: 'resolved' });
  bus.emit('incident', current);
  t.same(summary(f, current.id), [
    'all-fire:incident.opened:opened:v1',
    'all-fire:incident.updated:severity_raised:v2',
    'red-only:incident.opened:opened:v2',
    'all-fire:incident.resolved:resolved:v3',
    'red-only:incident.resolved:resolved:v3',
  ]);
  const joined = f.outbox.list({ incidentId: current.id, limit: 10 }).find((d) => d.update === 'opened' && f.subscriptions.get(d.subscriptionId)?.name === 'red-only')!;
  t.equal(f.outbox.body(joined.id)?.reason, 'severity raised to red');

  // A subscription created after the incident closed does not get an "opened" for it.
  f.subscriptions.create({ name: 'late', url: URL, severities: ['red'] });
  bus.emit('incident', changed(current, { note: 'closed' }));
  t.notOk(summary(f, current.id).some((s) => s.startsWith('late:')));
});

t.test('a disabled subscription gets nothing new; idempotency keys survive a reopen and a replayed event adds nothing', async (t) => {
  const f = notifyFixture(t);
  const { subscription: on } = f.subscriptions.create({ name: 'on', url: URL });
  const { subscription: off } = f.subscriptions.create({ name: 'off', url: URL });
  const { bus, off: unwire } = wired(f);
  const first = incident();
  bus.emit('brigade', { incident: first, reason: 'alarm' });
  f.subscriptions.update(off.id, { enabled: false });
  const dispatched = changed(first, { status: 'dispatched', teamId: 'T1' });
  bus.emit('incident', dispatched);
  t.same(summary(f, first.id), ['on:incident.opened:opened:v1', 'off:incident.opened:opened:v1', 'on:incident.updated:dispatched:v2']);
  const keys = f.outbox.list({ incidentId: first.id, limit: 10 }).map((d) => d.idempotencyKey).sort();
  t.ok(keys.includes(`${on.id}.inc${first.id}.v2.dispatched`));
  unwire();

  f.reopen();
  const again = wired(f);
  again.bus.emit('brigade', { incident: first, reason: 'alarm' });
  again.bus.emit('incident', dispatched);
  t.same(f.outbox.list({ incidentId: first.id, limit: 10 }).map((d) => d.idempotencyKey).sort(), keys, 'same keys, no duplicates after reopening');
  const accepted = changed(dispatched, { status: 'accepted' });
  again.bus.emit('incident', accepted);
  t.same(summary(f, first.id).at(-1), 'on:incident.updated:accepted:v3', 'the pushed state survived the reopen');
});

t.test('the outbox hands out only the head of each subscription+incident chain', async (t) => {
  const f = notifyFixture(t);
  f.subscriptions.create({ name: 'a', url: URL });
  f.subscriptions.create({ name: 'b', url: URL });
  const { bus } = wired(f);
  const one = incident();
  const two = incident();
  for (const i of [one, two]) {
    bus.emit('brigade', { incident: i, reason: 'alarm' });
    bus.emit('incident', changed(i, { status: 'dispatched', teamId: 'T1' }));
  }
  const due = f.outbox.due(100, new Set());
  t.equal(due.length, 4, 'one head per (subscription, incident)');
  t.ok(due.every((d) => d.update === 'opened'));
  const inFlight = new Set(due.map((d) => d.id));
  t.same(f.outbox.due(100, inFlight), [], 'successors wait while their head is in flight');
  t.equal(f.outbox.nextDueAt(inFlight), undefined);

  f.outbox.recordAttempt(due[0]!.id, { at: Date.now(), statusCode: 204, durationMs: 3, outcome: 'delivered' });
  const next = f.outbox.due(100, new Set(due.slice(1).map((d) => d.id)));
  t.equal(next.length, 1);
  t.equal(next[0]!.update, 'dispatched');
  t.equal(next[0]!.subscriptionId, due[0]!.subscriptionId);
  t.equal(next[0]!.incidentId, due[0]!.incidentId);

  f.outbox.recordAttempt(due[1]!.id, { at: Date.now(), statusCode: 400, error: 'HTTP 400', durationMs: 3, outcome: 'failed' });
  const afterFailure = f.outbox.due(100, new Set([...due.slice(2).map((d) => d.id), next[0]!.id]));
  t.equal(afterFailure.length, 1, 'a failed head does not block its chain for ever: the next update carries the full state');
  t.same(f.outbox.counts(), { pending: 6, delivered: 1, failed: 1, dead: 0 });
});

t.test('subscriptions: secret given or generated, never listed; validation', async (t) => {
  const f = notifyFixture(t);
  const given = f.subscriptions.create({ name: 'given', url: 'https://brigade.example/in', secret: 'a-shared-secret-of-24-chars!' });
  t.equal(given.secret, 'a-shared-secret-of-24-chars!');
  const generated = f.subscriptions.create({ name: 'generated', url: 'https://brigade.example/in' });
  t.match(generated.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
  t.match(generated.subscription, { name: 'generated', severities: ['red', 'orange'], kinds: ['fire'], enabled: true });
  t.notOk(JSON.stringify(f.subscriptions.list()).includes(generated.secret));
  t.equal(f.subscriptions.secretOf(generated.subscription.id), generated.secret);
  t.throws(() => f.subscriptions.create({ name: 'short', url: URL, secret: 'short' }), { message: /secret/ });
  t.throws(() => f.subscriptions.create({ name: 'none', url: URL, kinds: [] }), { message: /kinds/ });
  t.throws(() => f.subscriptions.update(given.subscription.id, { url: 'ftp://x/' }), { message: /url/ });
  const rotated = f.subscriptions.rotateSecret(given.subscription.id)!;
  t.not(rotated.secret, given.secret);
  t.equal(f.subscriptions.secretOf(given.subscription.id), rotated.secret);
  t.ok(f.subscriptions.delete(given.subscription.id));
  t.notOk(f.subscriptions.delete(given.subscription.id));
});

t.test('prune forgets closed incidents with nothing pending, and only those', async (t) => {
  const f = notifyFixture(t);
  f.subscriptions.create({ name: 'brigade', url: URL });
  const { bus } = wired(f);
  const closed = incident();
  const stillOpen = incident();
  const closedButPending = incident();
  for (const i of [closed, stillOpen, closedButPending]) bus.emit('brigade', { incident: i, reason: 'alarm' });
  bus.emit('incident', changed(closed, { status: 'resolved' }));
  bus.emit('incident', changed(closedButPending, { status: 'cancelled' }));
  for (const d of f.outbox.list({ limit: 100 })) {
    if (d.incidentId !== closedButPending.id) f.outbox.recordAttempt(d.id, { at: Date.now(), statusCode: 204, durationMs: 1, outcome: 'delivered' });
  }
  t.equal(f.outbox.prune(Date.now() - 60_000), 0, 'nothing old enough yet');
  t.equal(f.outbox.prune(Date.now() + 60_000), 2, 'the two deliveries of the closed incident');
  t.same(f.outbox.list({ incidentId: closed.id, limit: 10 }), []);
  t.equal(f.outbox.list({ incidentId: stillOpen.id, limit: 10 }).length, 1);
  t.equal(f.outbox.list({ incidentId: closedButPending.id, limit: 10 }).length, 2);
  // A late event about the forgotten incident pushes nothing.
  bus.emit('incident', changed(closed, { status: 'resolved', note: 'late' }));
  t.same(f.outbox.list({ incidentId: closed.id, limit: 10 }), []);
});
