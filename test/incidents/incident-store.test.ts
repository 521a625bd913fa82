import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INCIDENT_MIGRATION, IncidentStore, type NewIncident } from '../../src/incidents/incident-store.js';
import { migrate, openDatabase } from '../../src/store/sqlite.js';

const fire = (deviceId: string, place?: string): NewIncident => ({
  ruleId: 'fire-alarm',
  key: deviceId,
  severity: 'orange',
  title: 'Fire alarm',
  summary: `${deviceId} alarm`,
  kind: 'fire',
  site: 'north',
  deviceId,
  ...(place ? { place } : {}),
});

t.test('open incidents are found by rule and key and by subject; closed ones are not', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  migrate(db, [INCIDENT_MIGRATION]);
  const store = new IncidentStore(db);
  const at = 1_700_000_000_000;

  const a = store.open(fire('fd-7a', 'Factory 7'), at, 'rule:fire-alarm');
  const lone = store.open(fire('fd-lone'), at, 'rule:fire-alarm');
  t.equal(store.findOpen('fire-alarm', 'fd-7a')?.id, a.id);
  t.equal(store.findOpen('fire-alarm', 'fd-7b'), undefined, 'another key: none');
  t.equal(store.findOpen('fire-confirmed', 'fd-7a'), undefined, 'another rule: none');
  t.equal(store.findOpenBySubject('fire', 'Factory 7', 'fd-7b')?.id, a.id, 'same kind and place, any device');
  t.equal(store.findOpenBySubject('camera', 'Factory 7', 'cam-1'), undefined, 'another kind at the place: none');
  t.equal(store.findOpenBySubject('fire', undefined, 'fd-lone')?.id, lone.id, 'no place: the same device');
  t.equal(store.findOpenBySubject('fire', undefined, 'fd-7a'), undefined, 'no place: a placed incident is not that subject');

  const newer = store.open({ ...fire('fd-7c', 'Factory 7'), ruleId: 'heat-alarm' }, at + 1, 'rule:heat-alarm');
  t.equal(store.findOpenBySubject('fire', 'Factory 7', 'fd-7a')?.id, newer.id, 'several about one place: the newest');

  const raised = store.repeat(a.id, 'red', 'confirmed', at + 2, 'rule:fire-confirmed', {}, 'Confirmed fire');
  t.equal(store.findOpen('fire-alarm', 'fd-7a')?.severity, 'red', 'what is found is the latest written state');
  t.equal(store.findOpen('fire-alarm', 'fd-7a'), raised);
  t.ok(Object.isFrozen(raised), 'shared, so frozen');

  store.transition(newer.id, 'cancelled', at + 3, 'olga', 'cancelled');
  t.equal(store.findOpenBySubject('fire', 'Factory 7', 'fd-7a')?.id, a.id, 'the cancelled one is no longer open');
  store.transition(a.id, 'resolved', at + 4, 'olga', 'resolved', { note: 'welding' });
  t.equal(store.findOpen('fire-alarm', 'fd-7a'), undefined, 'resolved: gone');
  t.equal(store.findOpenBySubject('fire', 'Factory 7', 'fd-7a'), undefined);

  const again = store.open(fire('fd-7a', 'Factory 7'), at + 5, 'rule:fire-alarm');
  t.not(again.id, a.id, 'the same rule and key opens a new incident once the old one is closed');
  t.equal(store.findOpen('fire-alarm', 'fd-7a')?.id, again.id);
});

t.test('a refused transition changes nothing in what is found', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.close());
  migrate(db, [INCIDENT_MIGRATION]);
  const store = new IncidentStore(db);
  const a = store.open(fire('fd-1', 'Mill'), 1, 'rule:fire-alarm');
  t.throws(() => store.transition(a.id, 'arrived', 2, 'x', 'arrived'), /cannot become arrived/);
  t.equal(store.findOpen('fire-alarm', 'fd-1')?.status, 'open');
  t.equal(store.get(a.id)?.status, 'open');
});

t.test('a restarted gateway finds the incidents left open on disk', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'incidents-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gateway.db');
  const first = openDatabase(file);
  migrate(first, [INCIDENT_MIGRATION]);
  const before = new IncidentStore(first);
  const open = before.open(fire('fd-1', 'Mill'), 1, 'rule:fire-alarm');
  const closed = before.open(fire('fd-2', 'Barn'), 1, 'rule:fire-alarm');
  before.transition(closed.id, 'resolved', 2, 'olga', 'resolved');
  first.close();

  const second = openDatabase(file);
  t.teardown(() => second.close());
  const after = new IncidentStore(second);
  t.equal(after.findOpen('fire-alarm', 'fd-1')?.id, open.id);
  t.equal(after.findOpenBySubject('fire', 'Mill', 'fd-1')?.id, open.id);
  t.equal(after.findOpen('fire-alarm', 'fd-2'), undefined);
});
