import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from './local-servers.js';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  mqttPort: number;
  httpPort: number;
  /** stderr and non-JSON stdout, for failure messages. */
  output: string[];
  exited: Promise<number | null>;
}

/**
 * Node flags the gateway runs with (`npm start`, scripts/run-village.sh): every message
 * allocates short-lived objects (decoded JSON, readings, lines), and a 64 MiB young
 * generation lets most die in a scavenge instead of being promoted. In an A/B pair of
 * bench:ingest runs, p99 PUBACK at 10,000 msg/s went from 128 to 62 ms, for ~100 MiB
 * more RSS (docs/benchmarks.md).
 */
export const GATEWAY_NODE_ARGS: readonly string[] = ['--max-semi-space-size=64'];

/** The gateway as operators run it: `node --max-semi-space-size=64 --import tsx src/main.ts`, configured by environment only. */
export async function spawnGateway(env: Record<string, string>, timeoutMs = 30_000, nodeArgs: string[] = []): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [...GATEWAY_NODE_ARGS, ...nodeArgs, '--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const ready = new Promise<{ mqttPort: number; httpPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway not ready within ${timeoutMs} ms:\n${output.slice(-30).join('\n')}`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"gateway ready"')) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { mqttPort: number; httpPort: number });
      } else if (!line.startsWith('{')) output.push(line);
      else if (/"level":(50|60)/.test(line)) output.push(line);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before it was ready:\n${output.slice(-30).join('\n')}`));
    });
  });
  const ports = await ready;
  return { child, output, exited, ...ports };
}

/** Sum of one Prometheus metric's samples (all label sets) as the gateway reports it on /metrics. */
export async function gatewayMetric(httpPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const samples = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))];
  return samples.length === 0 ? Number.NaN : samples.reduce((sum, m) => sum + Number(m[1]), 0);
}

/** What every gateway on loopback needs: free MQTT and HTTP ports, its data dir, InfluxDB database `village`. */
export async function loopbackGatewayEnv(base: { adminToken: string; siteSecret: string; dataDir: string; influxUrl: string }): Promise<Record<string, string>> {
  return {
    ADMIN_TOKEN: base.adminToken,
    SITE_SECRET: base.siteSecret,
    DATA_DIR: base.dataDir,
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: String(await freeLoopbackPort()),
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(await freeLoopbackPort()),
    INFLUX_URL: base.influxUrl,
    INFLUX_DB: 'village',
  };
}
