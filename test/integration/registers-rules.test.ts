import t from 'tap';
import { startGateway, waitFor } from '../support/gateway-harness.js';

const TENANT = '330106199001011234';
const STRANGER = '11010519491231002X';
const BLACKLISTED = '44030419851010123X';

t.test('lock swipes and tag reads are judged against the village registers', async (t) => {
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9' });
  t.teardown(() => h.stop());
  t.equal((await h.http('POST', '/api/registers/room-cards/testvillage/3-201', { card: TENANT, tenantName: 'Wang' })).status, 201);
  t.equal((await h.http('POST', '/api/registers/blacklist', { site: 'testvillage', card: BLACKLISTED, reason: 'reported lost, used in a theft' })).status, 201);
  t.equal((await h.http('POST', '/api/registers/stolen-tags', { tag: 'T00ABCDEF', ownerName: 'Li', ownerContact: '138 0000 0000' })).status, 201);

  const lock = await h.register('lock', { id: 'lock-3-201' });
  const station = await h.register('ebike-station', { id: 'reader-east-gate' });
  const [lockClient, stationClient] = [await h.connect(lock), await h.connect(station)];
  const swipe = (card: string) =>
    lockClient.publishAsync('v1/testvillage/lock/lock-3-201/event', JSON.stringify({ event: 'swipe', room: '3-201', card, result: 'granted', method: 'idcard' }), { qos: 1 });
  const incidents = async () => (await h.http('GET', '/api/incidents')).json.incidents as { ruleId: string; severity: string; title: string; id: number }[];

  await swipe(TENANT);
  await h.gateway.response.idle();
  t.same(await incidents(), [], 'the tenant\'s own card at their own door: nothing');

  await swipe(STRANGER);
  const unregistered = await waitFor('unregistered card incident', async () => (await incidents()).find((i) => i.ruleId === 'card-not-registered'));
  t.equal(unregistered.severity, 'orange');

  await swipe(BLACKLISTED);
  // Same door, graver rule: the open incident about this door is escalated rather than a second one opened.
  const blacklisted = await waitFor('blacklisted card escalates the door\'s incident', async () => (await incidents()).find((i) => i.severity === 'red' && /Blacklisted/.test(i.title)));
  t.equal(blacklisted.id, unregistered.id);
  const detail = (await h.http('GET', `/api/incidents/${blacklisted.id}`)).json;
  t.ok(detail.audit.some((a: { action: string; detail: { rule?: string } }) => a.action === 'severity raised' && a.detail.rule === 'card-blacklisted'));
  t.ok(detail.audit.some((a: { action: string }) => /dispatch/.test(a.action)), 'a dispatch was attempted (no road network in this test)');

  await stationClient.publishAsync(
    'v1/testvillage/ebike-station/reader-east-gate/event',
    JSON.stringify({ reads: [{ tag: 'T00000001', rssi: -70 }, { tag: 't00abcdef', rssi: -64 }] }),
    { qos: 1 },
  );
  const stolen = await waitFor('stolen tag incident', async () => (await incidents()).find((i) => i.ruleId === 'stolen-tag-seen'));
  t.equal(stolen.severity, 'red');
  t.match(stolen.title, /T00ABCDEF/);

  const everything = JSON.stringify(await incidents()) + h.logLines.join('\n');
  for (const card of [TENANT, STRANGER, BLACKLISTED]) t.notOk(everything.includes(card), 'no card number in incidents or logs');
  t.notOk(everything.includes('138 0000 0000'), 'no owner contact in incidents or logs');
});
