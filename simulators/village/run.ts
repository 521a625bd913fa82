import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, requireLoopback, type ArgSpec } from '../args.js';
import { Fleet } from '../devices/fleet.js';
import { cloneStats, summaryLines, type FleetStats } from '../devices/stats.js';
import { GatewayClient } from '../gateway-client.js';
import { AutoOperator } from './auto-operator.js';
import { LocalControl, serveControl, type VillageControl } from './control.js';
import { GENERATE_ARGS, generateVillage, villageOptionsFromArgs, writeVillage, type VillageOptions } from './generate.js';
import { PLAN_FILE_NAME, readPlan, readRoadGraph } from './plan-file.js';
import type { VillagePlan } from './plan.js';
import { provisionVillage, type ProvisionReport } from './provision.js';
import { readSecrets } from './secrets.js';
import { TeamPhones } from './team-phones.js';
import { adminToken } from './token.js';

/**
 * The simulated village in one call: generate (if the directory has no
 * plan), provision, start every device, and print a line per kind every
 * 10 s.
 *
 *   node --import tsx simulators/village/run.ts --dir data/village \
 *        --http http://127.0.0.1:8080 --mqtt mqtt://127.0.0.1:1883 --token-file data/local-secrets.json [--speed 10]
 *
 * For src/tools/run-local.ts: `ensureVillageSite(dir)` before the gateway
 * starts (it needs SITE_DIR), then `spawnVillage(…)` (a child process: a
 * full village holds ~11,000 sockets, which with the gateway's own would
 * pass the 20,000 open-file limit of one process) or `startVillage(…)`
 * in-process for small scales.
 */

export interface VillageRunOptions {
  dir: string;
  httpUrl: string;
  mqttUrl: string;
  token: string;
  /** Used only when the directory has no plan yet. */
  generate?: Partial<VillageOptions>;
  /** Register the plan first (default true; it is idempotent). */
  provision?: boolean;
  speed?: number;
  startHour?: number;
  activity?: number;
  incidents?: number;
  /** Close incidents as an operator would, so teams come free (default true). */
  autoOperator?: boolean;
  /** Serve the loopback control for scenarios in other processes (default true). */
  control?: boolean;
  summaryEveryMs?: number;
  log?: (line: string) => void;
}

export interface RunningVillage {
  plan: VillagePlan;
  fleet: Fleet;
  control: VillageControl;
  client: GatewayClient;
  provisioned: ProvisionReport | undefined;
  stop(): Promise<void>;
}

/** Writes the site files and plan unless the directory has a plan already; true when it generated. */
export function ensureVillageSite(dir: string, options: Partial<VillageOptions> = {}): boolean {
  if (existsSync(join(dir, PLAN_FILE_NAME)) && existsSync(join(dir, 'roads.geojson'))) return false;
  writeVillage(dir, generateVillage(options));
  return true;
}

export async function startVillage(options: VillageRunOptions): Promise<RunningVillage> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  requireLoopback(options.mqttUrl, 'MQTT URL');
  const dir = resolve(options.dir);
  if (ensureVillageSite(dir, options.generate)) log(`village: generated a new village in ${dir}`);
  const plan = readPlan(dir);
  const client = new GatewayClient(options.httpUrl, options.token);
  const provisioned = options.provision === false ? undefined : await provisionVillage({ dir, client, plan, log });
  const secrets = readSecrets(dir);
  if (!secrets) throw new Error(`${dir} has no secrets.json: provision the village first (leave out --no-provision)`);
  const graph = await readRoadGraph(dir);
  const fleet = new Fleet({
    plan,
    secrets: secrets.devices,
    mqttUrl: options.mqttUrl,
    graph,
    ...(options.speed !== undefined ? { speed: options.speed } : {}),
    ...(options.startHour !== undefined ? { startHour: options.startHour } : {}),
    ...(options.activity !== undefined ? { activity: options.activity } : {}),
    ...(options.incidents !== undefined ? { incidents: options.incidents } : {}),
  });
  if (fleet.missingSecrets.length > 0) log(`village: ${fleet.missingSecrets.length} planned devices have no secret and stay off (first: ${fleet.missingSecrets[0]})`);
  fleet.start();
  log(`village: ${fleet.devices.size} devices starting (speed ×${fleet.clock.speed}, village time ${fleet.clock.format(fleet.clock.simNow())})`);

  const phones = new TeamPhones(fleet, client);
  phones.start();
  const operator = options.autoOperator === false ? undefined : new AutoOperator(client, fleet.clock, { log });
  operator?.start();
  const control = new LocalControl(fleet);
  const served = options.control === false ? undefined : await serveControl(control, dir);
  if (served) log(`village: control for scenarios at ${served.url} (token in ${join(dir, 'control.json')})`);

  let before: FleetStats | undefined;
  let lastAt = Date.now();
  const summary = setInterval(() => {
    const now = Date.now();
    const memory = safeMemory();
    log(
      `village ${new Date(now).toISOString().slice(11, 19)} | village time ${fleet.clock.format(fleet.clock.simNow())} ×${fleet.clock.speed} | ` +
        `online ${fleet.onlineCount}/${fleet.devices.size} | connecting ${fleet.gate.inFlight} queued ${fleet.gate.queued} | ` +
        `timers ${fleet.scheduler.size} | cpu ${cpuPercent()}% rss ${memory}`,
    );
    for (const line of summaryLines(fleet.stats, before, (now - lastAt) / 1000)) log(`  ${line}`);
    before = cloneStats(fleet.stats);
    lastAt = now;
  }, options.summaryEveryMs ?? 10_000);

  return {
    plan,
    fleet,
    control,
    client,
    provisioned,
    async stop() {
      clearInterval(summary);
      phones.stop();
      operator?.stop();
      await served?.close();
      await fleet.stop();
    },
  };
}

let lastCpu = process.cpuUsage();
let lastCpuAt = performance.now();
/** CPU of this process since the previous call, in % of one core. */
function cpuPercent(): number {
  const now = performance.now();
  const usage = process.cpuUsage(lastCpu);
  const percent = ((usage.user + usage.system) / 1000 / Math.max(1, now - lastCpuAt)) * 100;
  lastCpu = process.cpuUsage();
  lastCpuAt = now;
  return Math.round(percent);
}

/** Near the open-file limit `process.memoryUsage()` itself can throw EMFILE (DESIGN: known traps). */
function safeMemory(): string {
  try {
    return `${Math.round(process.memoryUsage.rss() / 1048576)} MB`;
  } catch {
    return '?';
  }
}

export interface SpawnVillageOptions {
  dir: string;
  httpUrl: string;
  mqttUrl: string;
  /** Passed in the environment, not on the command line (which `ps` shows). */
  token: string;
  speed?: number;
  scale?: number;
  seed?: number | string;
  extraArgs?: string[];
}

/** Runs the village in a child process (`node --import tsx run.ts …`); its output is inherited. Stop it with `child.kill('SIGTERM')`. */
export function spawnVillage(options: SpawnVillageOptions): ChildProcess {
  const args = ['--dir', options.dir, '--http', options.httpUrl, '--mqtt', options.mqttUrl];
  if (options.speed !== undefined) args.push('--speed', String(options.speed));
  if (options.scale !== undefined) args.push('--scale', String(options.scale));
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  args.push(...(options.extraArgs ?? []));
  return fork(fileURLToPath(import.meta.url), args, { execArgv: ['--import', 'tsx'], env: { ...process.env, ADMIN_TOKEN: options.token }, stdio: 'inherit' });
}

const ARGS: Record<string, ArgSpec> = {
  dir: { kind: 'string', help: 'village directory (generated there if it has no plan.json) (required)' },
  http: { kind: 'string', help: 'gateway HTTP base URL (default http://127.0.0.1:8080)' },
  mqtt: { kind: 'string', help: 'gateway MQTT URL (default mqtt://127.0.0.1:1883)' },
  token: { kind: 'string', help: 'admin bearer token (default: $ADMIN_TOKEN, or --token-file)' },
  'token-file': { kind: 'string', help: 'file with the token: plain, or JSON with ADMIN_TOKEN (data/local-secrets.json)' },
  speed: { kind: 'number', help: 'village time runs this many times faster (default 1)' },
  'start-hour': { kind: 'number', help: 'hour of the village day to start at, CST (default: now)' },
  activity: { kind: 'number', help: 'multiplies routine events: swipes, tag reads, motion (default 1)' },
  incidents: { kind: 'number', help: 'multiplies rare incident-making events; 0 for none (default 1)' },
  'no-provision': { kind: 'boolean', help: 'skip registering the plan (it is idempotent anyway)' },
  'no-auto-operator': { kind: 'boolean', help: 'leave incidents open (teams stay on them)' },
  ...GENERATE_ARGS,
};
delete ARGS.out;

async function main(): Promise<void> {
  const { values } = parseArgs(process.argv.slice(2), ARGS, 'node --import tsx simulators/village/run.ts --dir data/village --http http://127.0.0.1:8080 --mqtt mqtt://127.0.0.1:1883 --token-file data/local-secrets.json');
  if (typeof values.dir !== 'string') throw new Error('--dir <village dir> is required');
  const number = (name: string) => (typeof values[name] === 'number' ? (values[name] as number) : undefined);
  const village = await startVillage({
    dir: values.dir,
    httpUrl: typeof values.http === 'string' ? values.http : 'http://127.0.0.1:8080',
    mqttUrl: typeof values.mqtt === 'string' ? values.mqtt : 'mqtt://127.0.0.1:1883',
    token: adminToken(values),
    generate: villageOptionsFromArgs(values),
    provision: values['no-provision'] !== true,
    autoOperator: values['no-auto-operator'] !== true,
    ...optional('speed', number('speed')),
    ...optional('startHour', number('start-hour')),
    ...optional('activity', number('activity')),
    ...optional('incidents', number('incidents')),
  });
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('village: stopping (devices disconnect)…\n');
    void village.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    process.stderr.write(`village: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
