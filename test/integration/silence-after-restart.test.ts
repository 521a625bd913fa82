import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { loadConfig } from '../../src/config.js';
import { Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { ADMIN_TOKEN, SITE_SECRET, examplePayload, waitFor } from '../support/gateway-harness.js';
import { modelsForKind } from '../../devices/index.js';

// The same rule as the default fire-detector-silent, with a silence short enough for a test.
const RULES = `version: 1
rules:
  - id: detector-silent
    description: A fire detector has sent nothing for 2 s (a test-sized silence).
    match:
      kind: fire
      event: [heartbeat, alarm, fault, test, restore, battery, online]
    correlate:
      absentFor: 2s
    severity: blue
    title: Fire detector {deviceId} silent
`;

t.test('a detector heard before a restart and silent after it is reported', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'silence-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const rulesFile = join(dataDir, 'rules.yaml');
  writeFileSync(rulesFile, RULES);
  const config = loadConfig({
    ADMIN_TOKEN,
    SITE_SECRET,
    DATA_DIR: dataDir,
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    SCRYPT_COST: '1024',
    RULES_FILE: rulesFile,
    LOG_LEVEL: 'silent',
  });
  const model = modelsForKind('fire')[0]!;
  const api = (port: number) => async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return (await response.json()) as any;
  };

  // Before: two detectors report once; one never has.
  const first = new Gateway(config, createLogger('silent'));
  const before = await first.start();
  const call = api(before.httpPort);
  const devices: Record<string, string> = {};
  for (const id of ['fd-heard', 'fd-back', 'fd-never']) {
    devices[id] = (await call('POST', '/api/devices', { id, site: 'east', kind: 'fire', model: `${model.vendor}/${model.model}` })).secret;
  }
  const publishOnce = async (port: number, id: string) => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: id, username: id, password: devices[id], reconnectPeriod: 0 });
    await client.publishAsync(`v1/east/fire/${id}/event`, examplePayload(model), { qos: 1 });
    return client;
  };
  for (const id of ['fd-heard', 'fd-back']) await (await publishOnce(before.mqttPort, id)).endAsync();
  await first.stop();

  // After the restart only fd-back is heard again, and keeps talking.
  const second = new Gateway(config, createLogger('silent'));
  const after = await second.start();
  t.teardown(() => second.stop());
  const back = await publishOnce(after.mqttPort, 'fd-back');
  const keepTalking = setInterval(() => void back.publishAsync('v1/east/fire/fd-back/event', examplePayload(model), { qos: 1 }).catch(() => undefined), 500);
  t.teardown(async () => {
    clearInterval(keepTalking);
    await back.endAsync(true);
  });
  const silent = await waitFor(
    'the silent detector reported',
    async () => {
      const { incidents } = await api(after.httpPort)('GET', '/api/incidents?open=true');
      return incidents.length > 0 ? incidents : undefined;
    },
    10_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const { incidents } = await api(after.httpPort)('GET', '/api/incidents?open=true');
  t.same(incidents.map((i: { deviceId: string }) => i.deviceId).sort(), ['fd-heard'], 'only the detector that was heard before and not after');
  t.match(silent[0], { ruleId: 'detector-silent', severity: 'blue', deviceId: 'fd-heard' });
});
