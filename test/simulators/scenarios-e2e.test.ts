import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startInfluxd, type LocalServer } from '../../src/tools/local-servers.js';
import { GatewayClient } from '../../simulators/gateway-client.js';
import { runScenarios } from '../../simulators/scenarios/index.js';
import type { Verdict } from '../../simulators/scenarios/scenario.js';
import { provisionVillage } from '../../simulators/village/provision.js';
import { ensureVillageSite, startVillage } from '../../simulators/village/run.js';
import { ADMIN_TOKEN, startGateway } from '../support/gateway-harness.js';

function failed(verdict: Verdict | undefined): string {
  return verdict ? verdict.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; ') || verdict.summary : 'no verdict';
}

t.test('scenarios against a real gateway: stolen e-bike, cameras dark, brute force, InfluxDB outage (their own devices) and again through a running village', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scenarios-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  ensureVillageSite(dir, { seed: 21, scale: 0.02 });
  let influx: LocalServer = await startInfluxd();
  t.teardown(() => influx.stop());
  const restart = influx.restartOptions();
  const gateway = await startGateway({ INFLUX_URL: influx.url, INFLUX_DB: 'village', SITE_DIR: dir });
  t.teardown(() => gateway.stop());
  const httpUrl = `http://127.0.0.1:${gateway.addresses.httpPort}`;
  const mqttUrl = `mqtt://127.0.0.1:${gateway.addresses.mqttPort}`;
  await provisionVillage({ dir, client: new GatewayClient(httpUrl, ADMIN_TOKEN), log: () => undefined });

  // No village is running from the directory: the scenarios start their actors and the teams themselves.
  const lines: string[] = [];
  const verdicts = await runScenarios({
    dir,
    httpUrl,
    mqttUrl,
    token: ADMIN_TOKEN,
    names: ['stolen-ebike', 'cameras-dark', 'brute-force', 'influx-outage'],
    speed: 30,
    seed: 2,
    influx: { url: influx.url, db: 'village' },
    outage: {
      begin: () => influx.stop({ keepData: true }),
      end: async () => {
        influx = await startInfluxd(restart);
      },
    },
    write: (line) => lines.push(line),
  });
  t.comment(lines.join('\n'));
  t.match(lines[0], /no village running from .*: started \d+ devices here/);
  for (const name of ['stolen-ebike', 'cameras-dark', 'brute-force', 'influx-outage']) {
    const verdict = verdicts.find((v) => v.scenario === name);
    t.ok(verdict?.ok, `${name}: ${verdict?.ok ? verdict.summary : failed(verdict)}`);
  }
  // (Stopping the scenarios' own devices is itself an outage the gateway may report; only their incidents are checked.)
  const client = new GatewayClient(httpUrl, ADMIN_TOKEN);
  const left = [];
  for (const id of verdicts.flatMap((v) => v.incidentIds)) {
    const { incident } = await client.incident(id);
    if (incident.status !== 'resolved') left.push(`${id} ${incident.status}`);
  }
  t.same(left, [], `the scenarios resolved the incidents they opened (${verdicts.flatMap((v) => v.incidentIds).join(', ')})`);

  // With a village running from the directory, a scenario acts through its devices (found through control.json).
  const village = await startVillage({ dir, httpUrl, mqttUrl, token: ADMIN_TOKEN, speed: 30, incidents: 0, provision: false, summaryEveryMs: 60_000, log: () => undefined });
  t.teardown(() => village.stop());
  await village.fleet.waitOnline(1, 30_000);
  const through: string[] = [];
  const [bruteForce] = await runScenarios({ dir, httpUrl, token: ADMIN_TOKEN, names: ['brute-force'], seed: 5, write: (line) => through.push(line) });
  t.equal(through[0], `using the village running from ${dir}`);
  t.ok(bruteForce?.ok, `brute-force through the running village: ${bruteForce?.ok ? bruteForce.summary : failed(bruteForce)}`);
});
