import t from 'tap';
import { EventBus } from '../../src/event-bus.js';
import type { GatewayEvents } from '../../src/gateway.js';
import { INCIDENT_MIGRATION, IncidentStore, type Incident } from '../../src/incidents/incident-store.js';
import { createLogger } from '../../src/log.js';
import { BRIGADE_MIGRATION, BrigadeSubscriptions } from '../../src/notify/subscriptions.js';
import { WebhookOutbox } from '../../src/notify/webhook-outbox.js';
import { wireBrigadeNotifications } from '../../src/notify/wire.js';
import { migrate, openDatabase } from '../../src/store/sqlite.js';

// The same calls and bus events as src/response (IncidentManager, Dispatcher, notifyBrigade), on the real incident store.
t.test('an incident driven through the real store is pushed as the brigade should see it', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  migrate(db, [INCIDENT_MIGRATION, BRIGADE_MIGRATION]);
  const store = new IncidentStore(db);
  const subscriptions = new BrigadeSubscriptions(db);
  const outbox = new WebhookOutbox(db);
  subscriptions.create({ name: 'station', url: 'https://brigade.example/in' });
  const bus = new EventBus<GatewayEvents>(createLogger('silent'));
  t.teardown(wireBrigadeNotifications(bus, { subscriptions, outbox }));
  const emit = (incident: Incident) => bus.emit('incident', incident);
  let at = Date.UTC(2025, 0, 1, 2, 0, 0);

  const opened = store.open({ ruleId: 'fire-alarm', key: 'fd-7a', severity: 'orange', title: 'Fire alarm', summary: 'fd-7a alarm', kind: 'fire', site: 'north', deviceId: 'fd-7a', place: 'Factory 7' }, at, 'rule:fire-alarm');
  emit(opened);
  // notifyBrigade(): annotate, then `brigade`, then `incident`.
  const told = store.annotate(opened.id, (at += 5), 'dispatcher', 'brigade notified', { brigadeNotified: true }, { reason: 'Fire alarm' });
  bus.emit('brigade', { incident: told, reason: 'Fire alarm' });
  emit(told);
  emit(store.transition(opened.id, 'dispatched', (at += 50), 'dispatcher', 'team dispatched', { teamId: 'patrol-3', dispatchedAt: at, etaSeconds: 81 }));
  emit(store.annotate(opened.id, (at += 10), 'olga', 'acknowledged', { acknowledgedAt: at, acknowledgedBy: 'olga' }));
  emit(store.repeat(opened.id, 'red', 'fd-7b confirms', (at += 1000), 'rule:fire-confirmed', {}, 'Confirmed fire'));
  emit(store.repeat(opened.id, 'red', 'fd-7b again', (at += 1000), 'rule:fire-confirmed'));
  emit(store.transition(opened.id, 'accepted', (at += 5000), 'patrol-3', 'team accepted', { acceptedAt: at }));
  emit(store.transition(opened.id, 'arrived', (at += 60_000), 'patrol-3', 'team arrived', { arrivedAt: at, responseSeconds: 66 }));
  emit(store.transition(opened.id, 'resolved', (at += 600_000), 'olga', 'resolved', { note: 'false alarm: welding' }));

  const deliveries = outbox.list({ incidentId: opened.id, limit: 20 }).reverse();
  t.same(
    deliveries.map((d) => `${d.type}/${d.update}/v${d.version}`),
    ['incident.opened/opened/v1', 'incident.updated/dispatched/v2', 'incident.updated/severity_raised/v3', 'incident.updated/accepted/v4', 'incident.updated/arrived/v5', 'incident.resolved/resolved/v6'],
  );
  const last = outbox.body(deliveries.at(-1)!.id)!;
  t.match(last.incident, { status: 'resolved', severity: 'red', title: 'Confirmed fire', teamId: 'patrol-3', responseSeconds: 66 });
  t.notOk(JSON.stringify(deliveries.map((d) => outbox.body(d.id))).includes('welding'), 'the operator note is not pushed');
  t.notOk(JSON.stringify(deliveries.map((d) => outbox.body(d.id))).includes('olga'), 'nor the operator name');
});
