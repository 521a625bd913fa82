import t from 'tap';
import { modelsForKind } from '../../devices/index.js';
import { hashSecret } from '../../src/registry/secrets.js';
import { startInfluxd } from '../../src/tools/local-servers.js';
import { examplePayload, nextMessage, startGateway, waitFor } from '../support/gateway-harness.js';

interface Junk {
  name: string;
  kind: 'fire' | 'camera' | 'ebike-station' | 'lock';
  channel?: 'event' | 'status';
  payload: () => Buffer;
  reason: string;
  detail: RegExp;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const fireEvent = () => JSON.parse(examplePayload(modelsForKind('fire')[0]!).toString()) as Record<string, unknown>;

const matrix: Junk[] = [
  { name: 'malformed JSON', kind: 'fire', payload: () => Buffer.from('{"event": "alarm", '), reason: 'malformed', detail: /JSON/ },
  { name: 'binary junk', kind: 'camera', payload: () => Buffer.from([0x00, 0xff, 0x13, 0x37, 0x80, 0x81, 0xfe]), reason: 'malformed', detail: /./ },
  { name: 'empty payload', kind: 'fire', payload: () => Buffer.alloc(0), reason: 'malformed', detail: /./ },
  { name: 'wrong schema (number where a word belongs)', kind: 'fire', payload: () => json({ ...fireEvent(), event: 42 }), reason: 'schema', detail: /event/ },
  { name: 'JSON that is not an object', kind: 'fire', payload: () => json([1, 2, 3]), reason: 'schema', detail: /./ },
  { name: 'oversize payload', kind: 'fire', payload: () => json({ ...fireEvent(), pad: 'x'.repeat(20_000) }), reason: 'oversize', detail: /limit is 16384/ },
  { name: 'timestamp years in the future', kind: 'fire', payload: () => json({ ...fireEvent(), ts: Date.now() + 5 * 365 * 86_400_000 }), reason: 'timestamp', detail: /in the future/ },
  { name: 'timestamp from 2001', kind: 'fire', payload: () => json({ ...fireEvent(), ts: Date.UTC(2001, 0, 1) }), reason: 'timestamp', detail: /in the past/ },
  { name: 'corrupted binary tag frame', kind: 'ebike-station', payload: () => Buffer.from('eb01000000018c5fa3b0e8000100000001c8000aabcd', 'hex'), reason: 'malformed', detail: /./ },
];

async function influxRows(url: string, q: string): Promise<unknown[][]> {
  const response = await fetch(`${url}/query?db=village&q=${encodeURIComponent(q)}`);
  const body = (await response.json()) as { results: { series?: { values: unknown[][] }[] }[] };
  return body.results[0]?.series?.[0]?.values ?? [];
}

t.test('each kind of junk gets its reason on reply, a dead letter, an ingest_rejects point and a counter; others are still served', async (t) => {
  const influx = await startInfluxd();
  t.teardown(() => influx.stop());
  const h = await startGateway({ INFLUX_URL: influx.url, INFLUX_DB: 'village' });
  t.teardown(() => h.stop());
  const bystanderModel = modelsForKind('team')[0]!;
  const bystander = await h.connect(await h.register('team'));
  const bystanderCreds = bystander.options.clientId!;

  for (const junk of matrix) {
    const device = await h.register(junk.kind);
    const client = await h.connect(device);
    const replyTopic = `v1/testvillage/${junk.kind}/${device.device.id}/reply`;
    await client.subscribeAsync(replyTopic, { qos: 1 });
    const reply = nextMessage(client, replyTopic);
    await client.publishAsync(`v1/testvillage/${junk.kind}/${device.device.id}/${junk.channel ?? 'event'}`, junk.payload(), { qos: 1 });
    const answer = await reply;
    t.equal(answer.status, 'rejected', `${junk.name}: rejected`);
    t.equal(answer.reason, junk.reason, `${junk.name}: reason ${junk.reason}`);
    t.match(JSON.stringify(answer.errors), junk.detail, `${junk.name}: the reply says why`);
    t.ok(client.connected, `${junk.name}: the device stays connected`);

    const letters = (await h.http('GET', `/api/dead-letters?deviceId=${device.device.id}`)).json.deadLetters;
    t.equal(letters.length, 1, `${junk.name}: one dead letter`);
    t.equal(letters[0].reason, junk.reason);

    // The gateway keeps serving others between the junk.
    await bystander.publishAsync(`v1/testvillage/team/${bystanderCreds}/event`, examplePayload(bystanderModel), { qos: 1 });
    await client.endAsync();
  }

  const metrics = (await h.http('GET', '/metrics')).text;
  for (const reason of new Set(matrix.map((j) => j.reason))) {
    t.match(metrics, new RegExp(`gateway_messages_rejected_total\\{kind="[a-z-]+",reason="${reason}"\\} [1-9]`), `counter for ${reason}`);
  }
  const rejects = await waitFor('ingest_rejects in InfluxDB', async () => {
    const rows = await influxRows(influx.url, 'SELECT count("size") FROM ingest_rejects');
    return Number(rows[0]?.[1]) === matrix.length ? rows : undefined;
  });
  t.equal(Number(rejects[0]![1]), matrix.length, 'one ingest_rejects point per junk message');
  const ok = await influxRows(influx.url, `SELECT count(*) FROM team_position WHERE "device" = '${bystanderCreds}'`);
  t.ok(ok.length > 0, 'the bystander\'s messages landed');
});

t.test('a device whose model the gateway no longer knows is answered, not crashed', async (t) => {
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9' });
  t.teardown(() => h.stop());
  // The API refuses unknown models, so this is a device left over from a model that was removed since.
  h.gateway.registry.register({ id: 'legacy-1', site: 'testvillage', kind: 'fire', model: 'gone/fd-1' }, await hashSecret('legacy-secret', 1024), Date.now());
  const client = await h.connect({ device: { id: 'legacy-1', site: 'testvillage', kind: 'fire', model: 'gone/fd-1' }, secret: 'legacy-secret', mqtt: { clientId: 'legacy-1', username: 'legacy-1', publish: [], subscribe: [] } });
  await client.subscribeAsync('v1/testvillage/fire/legacy-1/reply');
  const reply = nextMessage(client, 'v1/testvillage/fire/legacy-1/reply');
  await client.publishAsync('v1/testvillage/fire/legacy-1/event', '{"event":"alarm"}', { qos: 1 });
  t.equal((await reply).reason, 'unknown_model');
});
