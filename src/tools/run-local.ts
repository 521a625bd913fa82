import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config.js';
import { Gateway } from '../gateway.js';
import { createLogger } from '../log.js';
import { freeLoopbackPort, startInfluxd, type LocalServer } from './local-servers.js';

/**
 * The README's "run it" command: a real InfluxDB (Debian's influxd, its data
 * kept under DATA_DIR/influxdb) unless INFLUX_URL points at one, then the
 * gateway. Secrets are generated once into DATA_DIR/local-secrets.json so a
 * newcomer needs to set nothing; production sets them in the environment.
 */

interface LocalSecrets {
  ADMIN_TOKEN: string;
  SITE_SECRET: string;
}

function localSecrets(dataDir: string): LocalSecrets {
  const file = join(dataDir, 'local-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  const secrets = { ADMIN_TOKEN: randomBytes(24).toString('base64url'), SITE_SECRET: randomBytes(32).toString('base64url') };
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
  process.stdout.write(
    [
      '',
      'Village safety gateway is running.',
      `  MQTT            mqtt://${host}:${addresses.mqttPort}   (WebSocket: ws://${host}:${addresses.httpPort}/mqtt)`,
      `  HTTP API        http://${host}:${addresses.httpPort}/api   (OpenAPI: http://${host}:${addresses.httpPort}/docs)`,
      `  Health          http://${host}:${addresses.httpPort}/readyz   metrics: /metrics`,
      `  InfluxDB        ${config.influx.url} (${config.influx.api === 'v1' ? `database ${config.influx.database}` : `bucket ${config.influx.bucket}`})`,
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
