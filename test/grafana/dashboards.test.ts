import t from 'tap';
import { deviceModels, modelsForKind } from '../../devices/index.js';
import { type Example, type ValidExample } from '../../devices/model.js';
import { encodePoint } from '../../src/ingest/line-protocol.js';
import { startInfluxd, startVictoriaMetrics } from '../../src/tools/local-servers.js';
import { startGateway, waitFor } from '../support/gateway-harness.js';
import {
  allPanels,
  dashboardFiles,
  dashboardProviders,
  durationMs,
  expandInfluxQL,
  grafanaInterval,
  loadDashboards,
  promLabelNames,
  promMetricNames,
  provisionedDatasources,
  targetDatasource,
  variableQuery,
  variableValues,
  type Dashboard,
  type Panel,
  type Target,
  type TimeRange,
} from './grafana-files.js';

const SITE = 'testvillage';

/** Every measurement of the README's InfluxDB schema: each must feed at least one panel. */
const MEASUREMENTS = [
  'camera_health', 'camera_event', 'lock_swipe', 'device_status', 'ebike_tag_read', 'fire_event', 'team_position',
  'team_status', 'team_dispatch', 'ingest_rejects', 'device_availability', 'dispatch_order', 'dispatch_response',
];

function influxTargets(dashboard: Dashboard, influxUids: Set<string>): { panel: Panel; target: Target }[] {
  return allPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).filter((target) => influxUids.has(targetDatasource(panel, target)?.uid ?? '')).map((target) => ({ panel, target })),
  );
}

function promTargets(dashboard: Dashboard, promUids: Set<string>): { panel: Panel; target: Target }[] {
  return allPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).filter((target) => promUids.has(targetDatasource(panel, target)?.uid ?? '')).map((target) => ({ panel, target })),
  );
}

t.test('static: provisioning, dashboard JSON, uids, datasource references, raw InfluxQL, units, the 180 s line', async (t) => {
  const datasources = provisionedDatasources();
  const byUid = new Map(datasources.map((d) => [d.uid, d]));
  t.equal(byUid.size, datasources.length, 'datasource uids are unique');
  const influx = datasources.filter((d) => d.type === 'influxdb');
  const prom = datasources.filter((d) => d.type === 'prometheus');
  t.equal(influx.length, 1, 'one InfluxDB datasource');
  t.equal(prom.length, 1, 'one Prometheus datasource');
  t.equal(influx[0]?.jsonData?.version, 'InfluxQL', 'InfluxDB datasource speaks InfluxQL');
  t.equal(influx[0]?.url, '$INFLUX_URL');
  t.equal(influx[0]?.jsonData?.dbName, '$INFLUX_DB');
  t.equal(influx[0]?.user, '$INFLUX_USERNAME');
  t.equal(influx[0]?.secureJsonData?.password, '$INFLUX_PASSWORD', 'password only in secureJsonData, from the environment');
  t.equal(prom[0]?.url, '$PROMETHEUS_URL');

  const providers = dashboardProviders();
  t.equal(providers.length, 1, 'one dashboard provider');
  t.equal(providers[0]?.type, 'file');
  t.equal(providers[0]?.folder, 'Village safety');
  t.equal(providers[0]?.options.path, '/var/lib/grafana/dashboards');

  const files = dashboardFiles();
  t.ok(files.length >= 6, `${files.length} dashboards`);
  for (const { file, text } of files) t.doesNotThrow(() => JSON.parse(text), `${file} parses`);
  const dashboards = loadDashboards();
  const uids = dashboards.map(({ dashboard }) => dashboard.uid);
  t.same(new Set(uids).size, uids.length, `dashboard uids unique: ${uids.join(', ')}`);
  const usedMeasurements = new Set<string>();

  for (const { file, dashboard } of dashboards) {
    await t.test(file, async (t) => {
      t.match(dashboard.uid, /^[a-zA-Z0-9_-]{1,40}$/, 'uid is a valid Grafana uid');
      t.ok(dashboard.schemaVersion >= 36 && dashboard.schemaVersion <= 41, `schemaVersion ${dashboard.schemaVersion} (Grafana 10/11)`);
      const panels = allPanels(dashboard);
      const ids = panels.map((p) => p.id);
      t.equal(new Set(ids).size, ids.length, 'panel ids unique within the dashboard');
      for (const variable of dashboard.templating.list) {
        if (variable.type !== 'query') continue;
        t.ok(byUid.has(variable.datasource?.uid ?? ''), `variable $${variable.name} uses a provisioned datasource`);
        if (variable.datasource?.type === 'influxdb') t.match(variableQuery(variable), /^SHOW TAG VALUES /, `variable $${variable.name} is SHOW TAG VALUES`);
      }
      for (const panel of panels) {
        if (panel.type === 'row') continue;
        const where = `panel ${panel.id} "${panel.title}"`;
        t.ok(panel.targets && panel.targets.length > 0, `${where} has queries`);
        const panelDs = panel.datasource?.uid;
        t.ok(panelDs && byUid.has(panelDs), `${where}: datasource ${panelDs} is provisioned`);
        t.equal(panel.datasource?.type, byUid.get(panelDs ?? '')?.type, `${where}: datasource type matches`);
        t.ok(panel.fieldConfig?.defaults?.unit, `${where}: unit set (${panel.fieldConfig?.defaults?.unit})`);
        for (const target of panel.targets ?? []) {
          const ds = targetDatasource(panel, target);
          t.ok(ds?.uid && byUid.has(ds.uid), `${where} ${target.refId}: datasource ${ds?.uid} is provisioned`);
          if (byUid.get(ds?.uid ?? '')?.type === 'influxdb') {
            t.equal(target.rawQuery, true, `${where} ${target.refId}: rawQuery`);
            t.match(target.query ?? '', /\$timeFilter/, `${where} ${target.refId}: bounded by $timeFilter`);
            for (const m of (target.query ?? '').matchAll(/FROM\s+"(\w+)"/g)) usedMeasurements.add(m[1]!);
          } else {
            t.ok(target.expr, `${where} ${target.refId}: PromQL expr`);
          }
        }
      }
    });
  }
  await t.test('every measurement of the schema is on some dashboard', async (t) => {
    for (const m of MEASUREMENTS) t.ok(usedMeasurements.has(m), m);
  });

  t.test('the 180 s target is drawn on the dispatch dashboard', async (t) => {
    const dispatch = dashboards.find(({ dashboard }) => dashboard.uid === 'village-dispatch')?.dashboard;
    t.ok(dispatch, 'dispatch dashboard exists');
    const lines = allPanels(dispatch!).filter(
      (p) =>
        p.fieldConfig?.defaults?.unit === 's' &&
        p.fieldConfig.defaults.thresholds?.steps.some((s) => s.value === 180) &&
        (p.fieldConfig.defaults.custom?.thresholdsStyle?.mode ?? 'off') !== 'off',
    );
    t.ok(lines.some((p) => (p.targets ?? []).some((x) => /"response_s"/.test(x.query ?? ''))), 'response times with a drawn 180 s threshold');
    t.ok(lines.some((p) => (p.targets ?? []).some((x) => /"eta_s"/.test(x.query ?? '') && /dispatch_order/.test(x.query ?? ''))), 'order ETAs with a drawn 180 s threshold');
  });
});

/** Publishes every example (valid and invalid) of every model through a real gateway. */
async function fillThroughGateway(h: Awaited<ReturnType<typeof startGateway>>): Promise<{ earliestTs: number; tag: string }> {
  let earliestTs = Date.now();
  let tag: string | undefined;
  const payloadOf = (e: Example) =>
    e.hex !== undefined ? Buffer.from(e.hex, 'hex') : e.text !== undefined ? Buffer.from(e.text) : Buffer.from(typeof e.payload === 'string' ? e.payload : JSON.stringify(e.payload));
  for (const model of deviceModels) {
    const device = await h.register(model.kind, { model });
    const client = await h.connect(device);
    for (const example of model.examples) {
      await client.publishAsync(`v1/${SITE}/${model.kind}/${device.device.id}/${example.channel}`, payloadOf(example), { qos: 1 });
      if (!('expect' in example)) continue;
      for (const reading of (example as ValidExample).expect.data) {
        if (reading.ts !== undefined) earliestTs = Math.min(earliestTs, reading.ts);
        if (reading.measurement === 'ebike_tag_read' && typeof reading.fields.tag === 'string') tag ??= reading.fields.tag;
      }
    }
    // This device stays connected (online); a second one of the model comes and goes, which makes
    // device_availability "connected" and "disconnected" points.
    const visitor = await h.connect(await h.register(model.kind, { model }));
    await visitor.endAsync();
  }
  if (!tag) throw new Error('no e-bike tag read among the examples');
  return { earliestTs, tag };
}

/** A fire detector that falls silent: the gateway's own sweep declares it offline (heartbeat-timeout). */
async function silentDetector(h: Awaited<ReturnType<typeof startGateway>>): Promise<string> {
  const model = modelsForKind('fire')[0]!;
  const device = await h.register('fire', { model, id: `fd-silent-${process.pid}` });
  const client = await h.connect(device);
  const heartbeat = model.examples.find((e): e is ValidExample => 'expect' in e && e.channel === 'status')!;
  await client.publishAsync(`v1/${SITE}/fire/${device.device.id}/status`, JSON.stringify(heartbeat.payload), { qos: 1 });
  // Back-date its last message past HEARTBEAT_TIMEOUT_FACTOR heartbeat periods; the sweep (every 5 s) does the rest.
  h.gateway.registry.markSeen(device.device.id, Date.now() - 10 * model.heartbeatSeconds * 1000);
  return device.device.id;
}

/** Dispatch records as the dispatcher writes them (same encoder, same tags and field types), through the gateway's outbox. */
async function dispatchRecords(h: Awaited<ReturnType<typeof startGateway>>): Promise<void> {
  const now = Date.now();
  const lines: string[] = [];
  const teams = ['team-north', 'team-south'];
  const zones = ['Grid 1', 'Grid 3'];
  // Spread over ~70 days so the 30-day buckets have more than one month in them; some met, some missed.
  for (let i = 0; i < 12; i++) {
    const at = now - i * 6 * 86_400_000 - 60_000;
    const team = teams[i % 2]!;
    const zone = zones[Math.floor(i / 2) % 2]!;
    const eta = 60 + i * 20;
    const response = 90 + i * 25;
    const tags = { site: SITE, team, zone, kind: i % 3 === 0 ? 'lock' : 'fire', rule: i % 3 === 0 ? 'card-blacklisted' : 'fire-alarm', severity: i % 4 === 0 ? 'red' : 'orange' };
    const order = encodePoint(
      {
        measurement: 'dispatch_order',
        tags,
        fields: { incident_id: String(100 + i), eta_s: eta, distance_m: eta * 8, target_at_risk: eta > 180, reason: `nearest available team by road (${team})` },
        timeNs: BigInt(at - response * 1000) * 1_000_000n,
      },
      { incident_id: 'string', eta_s: 'float', distance_m: 'float', target_at_risk: 'boolean', reason: 'string' },
    );
    const arrival = encodePoint(
      {
        measurement: 'dispatch_response',
        tags: { ...tags, target_met: String(response <= 180) },
        fields: { response_s: response, eta_s: eta, incident_id: String(100 + i), to_accept_s: 12 + i },
        timeNs: BigInt(at) * 1_000_000n,
      },
      { response_s: 'float', eta_s: 'float', incident_id: 'string', to_accept_s: 'float' },
    );
    lines.push(order!, arrival!);
  }
  await h.gateway.outbox.append(lines, 0);
}

interface QueryResult {
  error?: string;
  series: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[];
}

async function influxQL(url: string, db: string, q: string): Promise<QueryResult> {
  // POST, as the provisioned datasource (httpMode: POST) sends it.
  const response = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ db, q, epoch: 'ms' }) });
  const text = await response.text();
  let body: { error?: string; results?: { error?: string; series?: QueryResult['series'] }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { error: `HTTP ${response.status}: ${text.slice(0, 300)}`, series: [] };
  }
  const error = body.error ?? body.results?.find((r) => r.error)?.error ?? (response.ok ? undefined : `HTTP ${response.status}`);
  return { ...(error ? { error } : {}), series: body.results?.[0]?.series ?? [] };
}

/** True when some series has a real value: not null, not a fill(0) zero. */
function hasData(result: QueryResult): boolean {
  return result.series.some((s) => s.values.some((row) => row.slice(1).some((v) => v !== null && v !== 0 && v !== '')));
}

t.test('real: every InfluxQL panel and variable query runs against InfluxDB filled by the gateway, and returns data', async (t) => {
  const influx = await startInfluxd();
  t.teardown(() => influx.stop());
  const h = await startGateway({
    INFLUX_URL: influx.url,
    INFLUX_API: 'v1',
    INFLUX_DB: 'village',
    // The examples carry fixed device times (a year old by now): keep them as written.
    TS_MAX_PAST_MS: String(20 * 365 * 86_400_000),
  });
  t.teardown(() => h.stop());

  const { earliestTs, tag } = await fillThroughGateway(h);
  const silentId = await silentDetector(h);
  await dispatchRecords(h);

  await waitFor(
    'every measurement in InfluxDB and the silent detector declared offline',
    async () => {
      if (h.gateway.outbox.depth().messages > 0) return undefined;
      const present = new Set((await influxQL(influx.url, 'village', 'SHOW MEASUREMENTS')).series[0]?.values.map((v) => String(v[0])) ?? []);
      if (!MEASUREMENTS.every((m) => present.has(m))) return undefined;
      const timeout = await influxQL(influx.url, 'village', `SELECT "online" FROM "device_availability" WHERE "device" = '${silentId}' AND "reason" = 'heartbeat-timeout'`);
      return timeout.series.length > 0;
    },
    30_000,
  );

  // An absolute range covering the examples' fixed dates up to now, as Grafana sends it.
  const range: TimeRange = { fromMs: earliestTs - 86_400_000, toMs: Date.now() + 3_600_000 };
  const datasources = provisionedDatasources();
  const influxUids = new Set(datasources.filter((d) => d.type === 'influxdb').map((d) => d.uid));
  const minInterval = String(datasources.find((d) => d.type === 'influxdb')?.jsonData?.timeInterval ?? '10s');
  let count = 0;

  for (const { file, dashboard } of loadDashboards()) {
    const values = variableValues(dashboard, { tag });
    await t.test(`${file}: variables`, async (t) => {
      for (const variable of dashboard.templating.list) {
        if (variable.type !== 'query' || !influxUids.has(variable.datasource?.uid ?? '')) continue;
        const q = expandInfluxQL(variableQuery(variable), values, range, '1m');
        const result = await influxQL(influx.url, 'village', q);
        t.notOk(result.error, `$${variable.name}: ${q}${result.error ? ` → ${result.error}` : ''}`);
        t.ok(result.series.some((s) => s.values.length > 0), `$${variable.name} offers values`);
      }
    });
    const targets = influxTargets(dashboard, influxUids);
    if (targets.length === 0) continue;
    await t.test(`${file}: ${targets.length} InfluxQL queries`, async (t) => {
      for (const { panel, target } of targets) {
        const interval = grafanaInterval(range, panel.interval && durationMs(panel.interval) > durationMs(minInterval) ? panel.interval : minInterval);
        const q = expandInfluxQL(target.query ?? '', values, range, interval);
        const result = await influxQL(influx.url, 'village', q);
        const where = `"${panel.title}" ${target.refId}`;
        t.notOk(result.error, `${where} accepted${result.error ? `: ${result.error}\n  ${q}` : ''}`);
        t.ok(result.series.length > 0, `${where} returns a series`);
        t.ok(hasData(result), `${where} returns values${hasData(result) ? '' : `\n  ${q}\n  ${JSON.stringify(result.series).slice(0, 400)}`}`);
        count++;
      }
    });
  }
  t.comment(`${count} InfluxQL panel queries run`);
});

t.test('real: Prometheus panels name metrics and labels the gateway exposes, and VictoriaMetrics runs every expression', async (t) => {
  const h = await startGateway();
  t.teardown(() => h.stop());
  // Some traffic, so counters and histograms have samples.
  const model = modelsForKind('fire')[0]!;
  const device = await h.register('fire', { model });
  const client = await h.connect(device);
  const heartbeat = model.examples.find((e): e is ValidExample => 'expect' in e && e.channel === 'status')!;
  await client.publishAsync(`v1/${SITE}/fire/${device.device.id}/status`, JSON.stringify(heartbeat.payload), { qos: 1 });
  await client.publishAsync(`v1/${SITE}/fire/${device.device.id}/event`, '{"event": 42}', { qos: 1 });

  const scrape = async () => {
    const res = await h.http('GET', '/metrics', undefined, '');
    if (res.status !== 200) throw new Error(`/metrics: HTTP ${res.status}`);
    return res.text;
  };
  const text = await scrape();
  const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  // Label names as declared (prom-client keeps them on the metric), so a panel cannot group by a label that never comes.
  const declared = new Map<string, string[]>();
  for (const metric of h.gateway.metrics.registry.getMetricsAsArray()) {
    declared.set(metric.name, (metric as unknown as { labelNames?: string[] }).labelNames ?? []);
  }
  const baseOf = (name: string) => {
    if (types.has(name)) return name;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    return types.get(base) === 'histogram' || types.get(base) === 'summary' ? base : undefined;
  };

  const datasources = provisionedDatasources();
  const promUids = new Set(datasources.filter((d) => d.type === 'prometheus').map((d) => d.uid));
  const exprs: { where: string; expr: string }[] = [];
  for (const { file, dashboard } of loadDashboards()) {
    for (const { panel, target } of promTargets(dashboard, promUids)) exprs.push({ where: `${file} "${panel.title}" ${target.refId}`, expr: target.expr ?? '' });
    for (const variable of dashboard.templating.list) {
      if (promUids.has(variable.datasource?.uid ?? '')) exprs.push({ where: `${file} $${variable.name}`, expr: variableQuery(variable) });
    }
  }
  t.ok(exprs.length > 10, `${exprs.length} Prometheus expressions`);

  await t.test('metric and label names', async (t) => {
    for (const { where, expr } of exprs) {
      const names = promMetricNames(expr);
      t.ok(names.length > 0, `${where}: names a gateway metric`);
      const bases: string[] = [];
      for (const name of names) {
        const base = baseOf(name);
        t.ok(base, `${where}: ${name} is in /metrics`);
        if (base) bases.push(base);
      }
      const allowed = new Set(['instance', 'job', 'le', ...bases.flatMap((b) => declared.get(b) ?? [])]);
      for (const label of promLabelNames(expr)) t.ok(allowed.has(label), `${where}: label "${label}" exists on ${bases.join(', ')}`);
    }
  });

  await t.test('expressions run (VictoriaMetrics, fed the scraped /metrics)', async (t) => {
    const vm = await startVictoriaMetrics();
    t.teardown(() => vm.stop());
    const instance = `127.0.0.1:${h.addresses.httpPort}`;
    const push = async (body: string) => {
      const params = new URLSearchParams();
      params.append('extra_label', `instance=${instance}`);
      params.append('extra_label', 'job=village-gateway');
      const res = await fetch(`${vm.url}/api/v1/import/prometheus?${params}`, { method: 'POST', body });
      t.ok(res.status < 300, `import: HTTP ${res.status} ${res.status < 300 ? '' : await res.text()}`);
    };
    // Two scrapes a little apart, so rate() has two samples to work with.
    await push(text);
    await client.publishAsync(`v1/${SITE}/fire/${device.device.id}/status`, JSON.stringify(heartbeat.payload), { qos: 1 });
    await new Promise((r) => setTimeout(r, 1500));
    await push(await scrape());
    // Imported samples become visible to queries a moment after a flush.
    await waitFor('both scrapes visible in VictoriaMetrics', async () => {
      await fetch(`${vm.url}/internal/force_flush`);
      const res = await fetch(`${vm.url}/api/v1/query?${new URLSearchParams({ query: 'max(count_over_time(gateway_messages_in_total[1m]))' })}`);
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      return Number(body.data.result[0]?.value[1] ?? 0) >= 2;
    });

    const instances = await waitFor('the instance label in VictoriaMetrics', async () => {
      const res = await fetch(`${vm.url}/api/v1/label/instance/values?${new URLSearchParams({ 'match[]': 'gateway_outbox_depth_messages' })}`);
      const body = (await res.json()) as { data: string[] };
      return body.data.length > 0 ? body.data : undefined;
    });
    t.same(instances, [instance], '$instance variable finds the gateway');

    let nonEmpty = 0;
    for (const { where, expr } of exprs) {
      if (/^label_values\(/.test(expr)) continue;
      const q = expr.replace(/\$__rate_interval/g, '1m').replace(/\$instance/g, '.*');
      t.notMatch(q, /\$/, `${where}: every variable expanded`);
      const res = await fetch(`${vm.url}/api/v1/query?${new URLSearchParams({ query: q })}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
      t.equal(body.status, 'success', `${where}: ${q}${body.error ? ` → ${body.error}` : ''}`);
      if ((body.data?.result.length ?? 0) > 0) nonEmpty++;
      else t.comment(`empty: ${q}`);
    }
    t.ok(nonEmpty >= exprs.length / 2, `${nonEmpty} of ${exprs.length} expressions return series from two scrapes`);
  });
  await client.endAsync();
});
