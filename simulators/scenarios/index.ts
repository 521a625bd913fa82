import { execSync } from 'node:child_process';
import { Fleet } from '../devices/fleet.js';
import { formatVillageTime } from '../devices/sim-clock.js';
import { GatewayClient } from '../gateway-client.js';
import { LocalControl, RemoteControl, type VillageControl } from '../village/control.js';
import { readPlan, readRoadGraph } from '../village/plan-file.js';
import type { VillagePlan } from '../village/plan.js';
import { Random } from '../village/random.js';
import { readSecrets } from '../village/secrets.js';
import { TeamPhones } from '../village/team-phones.js';
import { bruteForce } from './brute-force.js';
import { camerasDark } from './cameras-dark.js';
import { influxOutage } from './influx-outage.js';
import { nightFire } from './night-fire.js';
import { poll, Timeline, type OutageHooks, type Scenario, type ScenarioContext, type Verdict } from './scenario.js';
import { stolenEbike } from './stolen-ebike.js';

export const SCENARIOS: readonly Scenario[] = [nightFire, stolenEbike, camerasDark, bruteForce, influxOutage];

export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return scenario;
}

export interface RunScenarioOptions {
  scenario: Scenario;
  client: GatewayClient;
  control: VillageControl;
  plan: VillagePlan;
  seed?: string | number;
  target?: string;
  keep?: boolean;
  available?: ReadonlySet<string>;
  influx?: { url: string; db: string };
  outage?: OutageHooks;
  write?: (line: string) => void;
}

/** Runs one scenario against a village that is already running; never throws (an error is a failed verdict). */
export async function runScenario(options: RunScenarioOptions): Promise<Verdict> {
  const status = await options.control.status();
  const simAt = (real: number) => formatVillageTime(status.simNow + (real - status.realNow) * status.speed);
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const timeline = new Timeline(simAt, write);
  const { scenario } = options;
  timeline.step(`scenario ${scenario.name}: ${scenario.title} (village ×${status.speed}, ${status.online}/${status.devices} devices online)`);
  const ctx: ScenarioContext = {
    client: options.client,
    control: options.control,
    plan: options.plan,
    speed: status.speed,
    random: new Random(`scenario/${scenario.name}/${options.seed ?? Date.now()}`),
    timeline,
    ...(options.target ? { target: options.target } : {}),
    ...(options.keep ? { keep: true } : {}),
    ...(options.available ? { available: options.available } : {}),
    ...(options.influx ? { influx: options.influx } : {}),
    ...(options.outage ? { outage: options.outage } : {}),
  };
  let verdict: Verdict;
  try {
    verdict = await scenario.run(ctx);
  } catch (err) {
    timeline.step(`error: ${(err as Error).message}`);
    verdict = { scenario: scenario.name, ok: false, summary: `error: ${(err as Error).message}`, checks: [], incidentIds: [] };
  }
  for (const line of verdictLines(verdict)) write(line);
  return verdict;
}

export function verdictLines(verdict: Verdict): string[] {
  const head = verdict.skipped ? 'SKIPPED' : verdict.ok ? 'PASS' : 'FAIL';
  return [
    `VERDICT ${verdict.scenario}: ${head} — ${verdict.summary}`,
    ...verdict.checks.map((c) => `  ${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`),
  ];
}

export interface ScenarioSessionOptions {
  dir: string;
  httpUrl: string;
  /** Needed only when no village is running from `dir` (the scenario then runs its own devices). */
  mqttUrl?: string;
  token: string;
  names: readonly string[];
  /** For the scenario's own devices (default 1); a running village has its own speed. */
  speed?: number;
  seed?: string | number;
  target?: string;
  keep?: boolean;
  influx?: { url: string; db: string };
  outage?: OutageHooks;
  write?: (line: string) => void;
}

/**
 * Runs scenarios one after another. Uses the village running from `dir`
 * (found through its control.json) if there is one; otherwise starts the
 * devices the scenarios act through, plus every team tracker, in this
 * process (they need secrets.json from a provisioned village).
 */
export async function runScenarios(options: ScenarioSessionOptions): Promise<Verdict[]> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const scenarios = options.names.map(findScenario);
  const plan = readPlan(options.dir);
  const client = new GatewayClient(options.httpUrl, options.token);
  let control: VillageControl | undefined = await RemoteControl.find(options.dir);
  let own: { fleet: Fleet; phones: TeamPhones } | undefined;
  let available: ReadonlySet<string> | undefined;
  if (control) write(`using the village running from ${options.dir}`);
  else {
    if (!options.mqttUrl) throw new Error(`no village is running from ${options.dir}; give --mqtt so the scenario can run its own devices`);
    const secrets = readSecrets(options.dir);
    if (!secrets) throw new Error(`${options.dir} has no secrets.json: provision the village first (simulators/village/provision.ts)`);
    const seed = `scenario-cast/${options.seed ?? 'default'}`;
    const actors = new Set<string>();
    for (const scenario of scenarios) for (const id of scenario.actors(plan, new Random(seed), options.target)) actors.add(id);
    const fleet = new Fleet({
      plan,
      secrets: secrets.devices,
      mqttUrl: options.mqttUrl,
      graph: await readRoadGraph(options.dir),
      speed: options.speed ?? 1,
      ...(scenarios[0]?.startHour !== undefined ? { startHour: scenarios[0].startHour } : {}),
      incidents: 0,
      only: (d) => d.kind === 'team' || actors.has(d.id),
    });
    fleet.start();
    const phones = new TeamPhones(fleet, client);
    phones.start();
    own = { fleet, phones };
    available = new Set(fleet.devices.keys());
    control = new LocalControl(fleet);
    write(`no village running from ${options.dir}: started ${fleet.devices.size} devices here (${actors.size} actors, ${fleet.trackers.size} team trackers)`);
    await fleet.waitOnline(1, 60_000);
    // Dispatch needs every team's position at the gateway.
    await poll(async () => ((await client.teams()).every((t) => t.lon !== null) ? true : undefined), 30_000, 500);
  }
  const verdicts: Verdict[] = [];
  try {
    for (const scenario of scenarios) {
      verdicts.push(
        await runScenario({
          scenario,
          client,
          control,
          plan,
          write,
          ...(own ? { seed: `scenario-cast/${options.seed ?? 'default'}` } : options.seed !== undefined ? { seed: options.seed } : {}),
          ...(options.target ? { target: options.target } : {}),
          ...(options.keep ? { keep: true } : {}),
          ...(available ? { available } : {}),
          ...(options.influx ? { influx: options.influx } : {}),
          ...(options.outage ? { outage: options.outage } : {}),
        }),
      );
    }
  } finally {
    if (own) {
      own.phones.stop();
      await own.fleet.stop();
    }
  }
  return verdicts;
}

/** Outage hooks from the command line: SIGSTOP/SIGCONT a process you name, or two shell commands. */
export function outageHooks(options: { pid?: number; outageCmd?: string; recoverCmd?: string }): OutageHooks | undefined {
  if (options.pid !== undefined) {
    const pid = options.pid;
    return {
      begin: async () => void process.kill(pid, 'SIGSTOP'),
      end: async () => void process.kill(pid, 'SIGCONT'),
    };
  }
  if (options.outageCmd && options.recoverCmd) {
    const { outageCmd, recoverCmd } = options;
    return {
      begin: async () => void execSync(outageCmd, { stdio: 'inherit', timeout: 60_000 }),
      end: async () => void execSync(recoverCmd, { stdio: 'inherit', timeout: 60_000 }),
    };
  }
  return undefined;
}
