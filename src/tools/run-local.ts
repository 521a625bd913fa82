import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config.js';
import { Gateway } from '../gateway.js';
import { createLogger } from '../log.js';
import { freeLoopbackPort, startInfluxd, type LocalServer } from './local-servers.js';
import { ensureVillageSite, spawnVillage } from '../../simulators/village/run.js';

/**
 * The README's "run it" command: a real InfluxDB (Debian's influxd, its data
 * kept under DATA_DIR/influxdb) unless INFLUX_URL points at one, then the
 * gateway. Secrets are generated once into DATA_DIR/local-secrets.json so a
 * newcomer needs to set nothing; production sets them in the environment.
 */

interface LocalSecrets {
  ADMIN_TOKEN: string;
  SITE_SECRET: string;
  /** The first admin account for the pages, created at the first start. */
  FIRST_ADMIN_USERNAME: string;
  FIRST_ADMIN_PASSWORD: string;
}

function localSecrets(dataDir: string): LocalSecrets {
  const file = join(dataDir, 'local-secrets.json');
  const existing = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>) : {};
  const secrets: LocalSecrets = {
    ADMIN_TOKEN: existing.ADMIN_TOKEN ?? randomBytes(24).toString('base64url'),
    SITE_SECRET: existing.SITE_SECRET ?? randomBytes(32).toString('base64url'),
    FIRST_ADMIN_USERNAME: existing.FIRST_ADMIN_USERNAME ?? 'admin',
    FIRST_ADMIN_PASSWORD: existing.FIRST_ADMIN_PASSWORD ?? randomBytes(12).toString('base64url'),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

async function portIsFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => resolvePort(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePort(true)));
  });
}

async function main(): Promise<void> {
  const dataDir = resolve(process.env.DATA_DIR ?? './data');
  mkdirSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...localSecrets(dataDir), ...process.env, DATA_DIR: dataDir };

  // The simulated village: site files first (the gateway needs SITE_DIR), devices once it listens.
  // VILLAGE_SCALE=1 is the full model village (~11,000 devices; their first registration takes about a minute).
  const villageScale = Number(process.env.VILLAGE_SCALE ?? '0.05');
  const villageDir = join(dataDir, 'village');
  const withVillage = process.env.VILLAGE !== 'off' && !process.env.SITE_DIR;
  if (withVillage) {
    ensureVillageSite(villageDir, { seed: 7, scale: villageScale });
    env.SITE_DIR = villageDir;
  }

  let influx: LocalServer | undefined;
  if (!process.env.INFLUX_URL) {
    const port = (await portIsFree(8086)) ? 8086 : await freeLoopbackPort();
    influx = await startInfluxd({ dataDir: join(dataDir, 'influxdb'), port, removeDataDirOnStop: false });
    env.INFLUX_URL = influx.url;
    env.INFLUX_API = 'v1';
  }

  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      await influx?.stop({ keepData: true });
      process.exit(78);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const gateway = new Gateway(config, log);
  const addresses = await gateway.start();

  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  const village = withVillage
    ? spawnVillage({
        dir: villageDir,
        httpUrl: `http://127.0.0.1:${addresses.httpPort}`,
        mqttUrl: `mqtt://127.0.0.1:${addresses.mqttPort}`,
        token: config.adminToken,
        scale: villageScale,
        seed: 7,
      })
    : undefined;
  process.stdout.write(
    [
      '',
      'Village safety gateway is running.',
      `  MQTT            mqtt://${host}:${addresses.mqttPort}   (WebSocket: ws://${host}:${addresses.httpPort}/mqtt)`,
      `  HTTP API        http://${host}:${addresses.httpPort}/api   (OpenAPI: http://${host}:${addresses.httpPort}/docs)`,
      `  Health          http://${host}:${addresses.httpPort}/readyz   metrics: /metrics`,
      `  InfluxDB        ${config.influx.url} (${config.influx.api === 'v1' ? `database ${config.influx.database}` : `bucket ${config.influx.bucket}`})`,
      `  Live wall       http://${host}:${addresses.httpPort}/wall   (log in as ${env.FIRST_ADMIN_USERNAME}; password in ${join(dataDir, 'local-secrets.json')})`,
      `  Village         ${withVillage ? `${villageDir} (scale ${villageScale}; VILLAGE_SCALE=1 for the full village, VILLAGE=off for none)` : 'off'}`,
      `  Admin token     in ${join(dataDir, 'local-secrets.json')} (ADMIN_TOKEN)`,
      '  Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      village?.kill('SIGTERM');
      await gateway.stop().catch((err: unknown) => log.error({ err }, 'gateway stop failed'));
      await influx?.stop({ keepData: true });
      process.exit(0);
    })();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
