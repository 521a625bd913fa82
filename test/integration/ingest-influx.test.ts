import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deviceModels, modelsForKind } from '../../devices/index.js';
import { DEVICE_KINDS, modelId, type ValidExample } from '../../devices/model.js';
import { startInfluxd, startVictoriaMetrics } from '../../src/tools/local-servers.js';
import { examplePayload, nextMessage, startGateway, waitFor } from '../support/gateway-harness.js';

/** InfluxQL over HTTP, as Grafana and our history API use it. */
async function influxQuery(url: string, db: string, q: string): Promise<{ columns: string[]; values: unknown[][] }[]> {
  const response = await fetch(`${url}/query?db=${encodeURIComponent(db)}&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await response.json()) as { results: { series?: { columns: string[]; values: unknown[][] }[]; error?: string }[] };
  if (body.results[0]?.error) throw new Error(body.results[0].error);
  return body.results[0]?.series ?? [];
}

function rowsOf(series: { columns: string[]; values: unknown[][] }[]): Record<string, unknown>[] {
  return series.flatMap((s) => s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]]))));
}

const CARD = '330106199001011234';

t.test('every kind over MQTT at QoS 0 and 1 lands in InfluxDB 1.x (v1 write API) with its measurement, tags and fields', async (t) => {
  const influx = await startInfluxd();
  t.teardown(() => influx.stop());
  // The examples carry fixed device times; widen the plausibility window so they are kept as written.
  const h = await startGateway({ INFLUX_URL: influx.url, INFLUX_API: 'v1', INFLUX_DB: 'village', TS_MAX_PAST_MS: String(20 * 365 * 86_400_000) });
  t.teardown(() => h.stop());

  for (const model of deviceModels) {
    const device = await h.register(model.kind, { model });
    const client = await h.connect(device);
    const examples = model.examples.filter((e): e is ValidExample => 'expect' in e);
    for (const [index, example] of examples.entries()) {
      const qos = index % 2 === 0 ? 1 : 0;
      const topic = `v1/testvillage/${model.kind}/${device.device.id}/${example.channel}`;
      const payload = example.hex !== undefined ? Buffer.from(example.hex, 'hex') : Buffer.from(typeof example.payload === 'string' ? example.payload : JSON.stringify(example.payload ?? example.text));
      await client.publishAsync(topic, payload, { qos });
      for (const reading of example.expect.data) {
        const where = `"device" = '${device.device.id}'`;
        // Example card hashes are keyed with the examples' secret; the gateway keys per site (checked below).
        const expectedFields = Object.entries(reading.fields).filter(([k]) => k !== 'card_hash');
        const matches = (row: Record<string, unknown>) =>
          expectedFields.every(([k, v]) => (typeof v === 'number' ? Math.abs(Number(row[k]) - v) < 1e-6 : row[k] === v)) &&
          Object.entries(reading.tags).every(([k, v]) => row[k] === v) &&
          (reading.ts === undefined || row.time === reading.ts);
        const match = await waitFor(`${reading.measurement} from ${modelId(model)} (${example.description}, QoS ${qos})`, async () =>
          rowsOf(await influxQuery(influx.url, 'village', `SELECT * FROM "${reading.measurement}" WHERE ${where}`)).find(matches),
        ).catch(() => undefined);
        t.ok(match, `${modelId(model)}: ${example.description} (QoS ${qos}) → ${reading.measurement} with its fields, tags and device time`);
        if (match) {
          t.equal(match.site, 'testvillage');
          t.equal(match.kind, model.kind);
          t.equal(match.model, modelId(model));
          if ('card_hash' in reading.fields) t.match(String(match.card_hash), /^[0-9a-f]{64}$/, 'card stored as a keyed hash');
        }
      }
    }
    await client.endAsync();
  }
  t.ok(DEVICE_KINDS.every((kind) => modelsForKind(kind).length > 0), 'at least one model per kind');
});

t.test('the v2 write API path lands in a server that speaks /api/v2/write (VictoriaMetrics)', async (t) => {
  const vm = await startVictoriaMetrics();
  t.teardown(() => vm.stop());
  const h = await startGateway({ INFLUX_URL: vm.url, INFLUX_API: 'v2', INFLUX_ORG: 'village', INFLUX_BUCKET: 'village' });
  t.teardown(() => h.stop());
  const model = modelsForKind('fire')[0]!;
  const device = await h.register('fire', { model });
  const client = await h.connect(device);
  // Distinct device times 10 ms apart: VictoriaMetrics keeps milliseconds and deduplicates within one.
  const heartbeat = JSON.parse(examplePayload(model, 'status').toString()) as Record<string, unknown>;
  const start = Date.now() - 1000;
  for (let i = 0; i < 20; i++) {
    await client.publishAsync(`v1/testvillage/fire/${device.device.id}/status`, JSON.stringify({ ...heartbeat, ts: start + i * 10 }), { qos: 1 });
  }
  const samples = await waitFor('samples in VictoriaMetrics', async () => {
    await fetch(`${vm.url}/internal/force_flush`).catch(() => undefined);
    const response = await fetch(`${vm.url}/api/v1/export?match[]=${encodeURIComponent(`{device="${device.device.id}"}`)}`);
    const text = await response.text();
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { metric: Record<string, string>; values: number[] });
    const count = lines.reduce((n, l) => Math.max(n, l.values.length), 0);
    return count >= 20 ? lines : undefined;
  }, 20_000);
  t.ok(samples.every((s) => s.metric.site === 'testvillage' && s.metric.kind === 'fire'), 'tags arrive as labels');
  t.equal(h.gateway.outbox.depth().messages, 0, 'the outbox drained');
});

t.test('no ID-card number in clear text in InfluxDB, SQLite, logs or HTTP responses', async (t) => {
  const influx = await startInfluxd();
  t.teardown(() => influx.stop());
  const h = await startGateway({ INFLUX_URL: influx.url, INFLUX_DB: 'village' });
  t.teardown(() => h.stop());
  const model = modelsForKind('lock')[0]!;
  const lock = await h.register('lock', { model });
  const client = await h.connect(lock);
  const topic = `v1/testvillage/lock/${lock.device.id}/event`;
  await client.subscribeAsync(`v1/testvillage/lock/${lock.device.id}/reply`);
  const swipe = JSON.parse(examplePayload(model).toString()) as Record<string, unknown>;
  const withCard: Record<string, unknown> = { ...swipe, card: CARD, ts: Date.now() };
  delete withCard.cardUid;
  await client.publishAsync(topic, JSON.stringify(withCard), { qos: 1 });
  // A rejected swipe must not leak the number through the dead letter, the reply or the log either.
  const replyPromise = nextMessage(client, `v1/testvillage/lock/${lock.device.id}/reply`);
  await client.publishAsync(topic, JSON.stringify({ ...withCard, result: 'maybe' }), { qos: 1 });
  const reply = await replyPromise;
  t.equal(reply.status, 'rejected');

  const rows = await waitFor('swipe in InfluxDB', async () => {
    const found = rowsOf(await influxQuery(influx.url, 'village', `SELECT * FROM lock_swipe WHERE "device" = '${lock.device.id}'`));
    return found.length > 0 ? found : undefined;
  });
  t.equal(rows[0]!.card_masked, '330***********1234', 'masked display form stored');
  t.match(String(rows[0]!.card_hash), /^[0-9a-f]{64}$/, 'keyed hash stored');

  const needles = [CARD, CARD.slice(3, 14), '199001011234'];
  const haystacks: Record<string, string> = {
    influx: JSON.stringify(await influxQuery(influx.url, 'village', 'SELECT * FROM /.*/')),
    logs: h.logLines.join('\n'),
    reply: JSON.stringify(reply),
    deadLetters: (await h.http('GET', '/api/dead-letters')).text,
    devices: (await h.http('GET', '/api/devices')).text,
    metrics: (await h.http('GET', '/metrics')).text,
  };
  await h.gateway.outbox.stop().catch(() => undefined);
  for (const file of readdirSync(h.dataDir)) haystacks[`sqlite:${file}`] = readFileSync(join(h.dataDir, file)).toString('latin1');
  for (const [where, text] of Object.entries(haystacks)) {
    for (const needle of needles) t.notOk(text.includes(needle), `${where} does not contain ${needle.length} digits of the card`);
  }
});
