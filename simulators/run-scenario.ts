import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ArgSpec } from './args.js';
import { outageHooks, runScenarios, SCENARIOS } from './scenarios/index.js';
import { adminToken } from './village/token.js';

/**
 * Runs scenarios against a running gateway and prints a timeline and a
 * verdict for each:
 *
 *   node --import tsx simulators/run-scenario.ts night-fire --dir data/village \
 *        --http http://127.0.0.1:8080 --token-file data/local-secrets.json
 *
 * With a village running from the same directory (simulators/village/run.ts)
 * the scenario acts through that village's devices; otherwise give --mqtt
 * and it starts the few devices it needs (and the teams) itself.
 * Exit code 0 when every verdict passed, 1 otherwise, 2 on a usage error.
 */

const ARGS: Record<string, ArgSpec> = {
  dir: { kind: 'string', help: 'village directory (plan.json, secrets.json) (required)' },
  http: { kind: 'string', help: 'gateway HTTP base URL (default http://127.0.0.1:8080)' },
  mqtt: { kind: 'string', help: 'gateway MQTT URL, when no village runs from --dir (e.g. mqtt://127.0.0.1:1883)' },
  token: { kind: 'string', help: 'admin bearer token (default: $ADMIN_TOKEN, or --token-file)' },
  'token-file': { kind: 'string', help: 'file with the token: plain, or JSON with ADMIN_TOKEN' },
  speed: { kind: 'number', help: 'village-time factor for devices this command starts itself (default 1)' },
  seed: { kind: 'string', help: 'seed for picking factories, cameras, doors (default: time)' },
  target: { kind: 'string', help: 'a specific factory id, zone id, lock id or tag instead of a random one' },
  keep: { kind: 'boolean', help: 'leave the incidents open (default: resolve them at the end)' },
  'influx-url': { kind: 'string', help: 'influx-outage: the InfluxDB (1.x, InfluxQL) the gateway writes to' },
  'influx-db': { kind: 'string', help: 'influx-outage: its database (default village)' },
  'influx-pid': { kind: 'number', help: 'influx-outage: pid of influxd, paused (SIGSTOP) and resumed (SIGCONT)' },
  'outage-cmd': { kind: 'string', help: 'influx-outage: shell command that takes InfluxDB away' },
  'recover-cmd': { kind: 'string', help: 'influx-outage: shell command that brings it back' },
};

const USAGE = `node --import tsx simulators/run-scenario.ts <${SCENARIOS.map((s) => s.name).join('|')}|all> --dir data/village --http http://127.0.0.1:8080`;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const names = argv[0] && !argv[0].startsWith('--') ? argv.shift()! : undefined;
  const { values } = parseArgs(argv, ARGS, USAGE);
  if (!names || typeof values.dir !== 'string') {
    process.stderr.write(`usage: ${USAGE}\n${SCENARIOS.map((s) => `  ${s.name.padEnd(14)} ${s.title}`).join('\n')}\n`);
    return 2;
  }
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const outage = outageHooks({
    ...(typeof values['influx-pid'] === 'number' ? { pid: values['influx-pid'] } : {}),
    ...(str('outage-cmd') ? { outageCmd: str('outage-cmd')! } : {}),
    ...(str('recover-cmd') ? { recoverCmd: str('recover-cmd')! } : {}),
  });
  const influxUrl = str('influx-url');
  const verdicts = await runScenarios({
    dir: resolve(values.dir),
    httpUrl: str('http') ?? 'http://127.0.0.1:8080',
    token: adminToken(values),
    names: names === 'all' ? SCENARIOS.map((s) => s.name) : names.split(','),
    ...(str('mqtt') ? { mqttUrl: str('mqtt')! } : {}),
    ...(typeof values.speed === 'number' ? { speed: values.speed } : {}),
    ...(str('seed') ? { seed: str('seed')! } : {}),
    ...(str('target') ? { target: str('target')! } : {}),
    ...(values.keep === true ? { keep: true } : {}),
    ...(influxUrl ? { influx: { url: influxUrl, db: str('influx-db') ?? 'village' } } : {}),
    ...(outage ? { outage } : {}),
  });
  process.stdout.write(`\n${verdicts.map((v) => `${v.skipped ? 'SKIPPED' : v.ok ? 'PASS   ' : 'FAIL   '} ${v.scenario}: ${v.summary}`).join('\n')}\n`);
  return verdicts.every((v) => v.ok || v.skipped) ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`run-scenario: ${(err as Error).message}\n`);
      process.exit(2);
    },
  );
}
