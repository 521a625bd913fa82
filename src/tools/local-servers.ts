/**
 * Throw-away InfluxDB 1.x and VictoriaMetrics servers on loopback ports, for the tests and
 * the dev "run it" command. Each server gets its own config, data directory and free ports;
 * the Debian service scripts and default ports are never used (DESIGN.md, Known traps).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';

export interface LocalServer {
  readonly name: 'influxd' | 'victoria-metrics';
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly pid: number;
  /**
   * SIGTERM, then SIGKILL after 10 s. Removes the data directory if this server owns it,
   * unless `keepData` (to start again on the same port and data: see `restartOptions`).
   */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** Options that start a server on the same port and data directory after `stop({ keepData: true })`. */
  restartOptions(): LocalServerOptions;
}

export interface LocalServerOptions {
  /** Reuse this directory (a restart); by default a fresh temp dir is created. */
  dataDir?: string;
  /** Listen on this port (a restart); by default a free loopback port. */
  port?: number;
  /** Remove the data dir on stop. Default: true only when the dir was created here. */
  removeDataDirOnStop?: boolean;
  /** Server output is logged line by line at debug level. */
  log?: Logger;
  startTimeoutMs?: number;
  /** Path of the server binary, for machines where it is not the Debian one. */
  binary?: string;
}

const STOP_KILL_AFTER_MS = 10_000;
const DEFAULT_START_TIMEOUT_MS = 30_000;
const OUTPUT_TAIL_LINES = 40;
/** Free-port races with other suites are possible (we close the probe before the server binds). */
const PORT_RACE_ATTEMPTS = 3;

/** A free TCP port on 127.0.0.1, found by binding port 0. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read probe port'))));
    });
  });
}

/** InfluxDB 1.x (`/usr/bin/influxd`, Debian package `influxdb`): v1 write API and InfluxQL. */
export async function startInfluxd(options: LocalServerOptions = {}): Promise<LocalServer> {
  const binary = options.binary ?? '/usr/bin/influxd';
  await requireBinary(binary, 'influxdb');
  return startWithPortRetry(options, 'influxd', 'influxd-', async (dataDir, port) => {
    // The RPC (backup/restore) service always listens; keep it on loopback and off 8088.
    const rpcPort = await freeLoopbackPort();
    const configPath = join(dataDir, 'influxd.conf');
    await writeFile(configPath, influxdConfig(dataDir, port, rpcPort));
    return {
      binary,
      args: ['-config', configPath],
      readyPath: '/ping',
      readyStatus: 204,
    };
  });
}

/**
 * VictoriaMetrics (`/usr/bin/victoria-metrics`, Debian package `victoria-metrics`): accepts the
 * InfluxDB v2 write API at `/api/v2/write`; series are named `{measurement}_{field}`.
 */
export async function startVictoriaMetrics(options: LocalServerOptions = {}): Promise<LocalServer> {
  const binary = options.binary ?? '/usr/bin/victoria-metrics';
  await requireBinary(binary, 'victoria-metrics');
  return startWithPortRetry(options, 'victoria-metrics', 'victoria-metrics-', async (dataDir, port) => ({
    binary,
    args: [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${dataDir}`,
      // Test and dev data carries timestamps of any age; the default 1 month would drop old ones.
      '-retentionPeriod=100y',
      // Without these, PromQL at "now" hides the last 30 s and caches empty answers.
      '-search.latencyOffset=0s',
      '-search.disableCache',
      '-loggerLevel=ERROR',
      // Retries and bisecting re-send lines; InfluxDB overwrites a point with the same series and
      // timestamp, VM would keep both samples. 1 ms dedup (VM keeps ms timestamps) restores that.
      '-dedup.minScrapeInterval=1ms',
    ],
    readyPath: '/health',
    readyStatus: 200,
  }));
}

interface Launch {
  binary: string;
  args: string[];
  readyPath: string;
  readyStatus: number;
}

type ServerName = LocalServer['name'];

async function startWithPortRetry(
  options: LocalServerOptions,
  name: ServerName,
  tempPrefix: string,
  prepare: (dataDir: string, port: number) => Promise<Launch>,
): Promise<LocalServer> {
  const ownsDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), tempPrefix)));
  await mkdir(dataDir, { recursive: true });
  const removeDataDirOnStop = options.removeDataDirOnStop ?? ownsDir;
  const attempts = options.port === undefined ? PORT_RACE_ATTEMPTS : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = options.port ?? (await freeLoopbackPort());
    try {
      // Another process on the port would answer our readiness probe in the new server's place.
      await assertPortFree(port, name);
      const launch = await prepare(dataDir, port);
      return await launchServer(name, launch, {
        dataDir,
        port,
        removeDataDirOnStop,
        log: options.log,
        startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      });
    } catch (err) {
      lastError = err;
      if (!(err instanceof StartError && err.addressInUse)) break;
    }
  }
  if (ownsDir) await rm(dataDir, { recursive: true, force: true });
  throw lastError;
}

async function assertPortFree(port: number, name: ServerName): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new StartError(
          `cannot start ${name} on 127.0.0.1:${port}: ${err.code === 'EADDRINUSE' ? 'address already in use' : err.message}`,
          err.code === 'EADDRINUSE',
        ),
      );
    });
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

class StartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
    this.name = 'StartError';
  }
}

/** Children still running, killed if the test process exits without stopping them. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A crashed or timed-out test must not leave a server holding ports and temp dirs.
    process.once('exit', () => {
      for (const c of liveChildren) c.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

async function launchServer(
  name: ServerName,
  launch: Launch,
  opts: {
    dataDir: string;
    port: number;
    removeDataDirOnStop: boolean;
    log: Logger | undefined;
    startTimeoutMs: number;
  },
): Promise<LocalServer> {
  const url = `http://127.0.0.1:${opts.port}`;
  const child = spawn(launch.binary, launch.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const tail = outputTail(child, name, opts.log);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  // A spawn failure (ENOENT, EACCES) is reported as 'error', and then 'exit' may never come.
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });

  try {
    await waitReady(url + launch.readyPath, launch.readyStatus, opts.startTimeoutMs, () => {
      if (spawnError) return `could not spawn ${launch.binary}: ${spawnError.message}`;
      if (child.exitCode !== null || child.signalCode !== null) {
        return `${name} exited early (code ${child.exitCode ?? child.signalCode})`;
      }
      return undefined;
    });
  } catch (err) {
    child.kill('SIGKILL');
    if (!spawnError) await exited;
    const output = tail();
    throw new StartError(
      `${name} on port ${opts.port} did not become ready: ${(err as Error).message}\n` +
        `--- last output of ${name} ---\n${output || '(none)'}`,
      /address already in use/i.test(output),
    );
  }

  let stopping: Promise<void> | undefined;
  const server: LocalServer = {
    name,
    url,
    port: opts.port,
    dataDir: opts.dataDir,
    pid: child.pid ?? -1,
    stop(stopOptions = {}) {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_KILL_AFTER_MS);
          await exited;
          clearTimeout(killTimer);
        }
        if (opts.removeDataDirOnStop && !stopOptions.keepData) {
          await rm(opts.dataDir, { recursive: true, force: true });
        }
      })();
      return stopping;
    },
    restartOptions() {
      return {
        dataDir: opts.dataDir,
        port: opts.port,
        removeDataDirOnStop: opts.removeDataDirOnStop,
        log: opts.log,
        startTimeoutMs: opts.startTimeoutMs,
        binary: launch.binary,
      };
    },
  };
  return server;
}

/** Keeps the last lines of stdout+stderr for error messages; logs them at debug if asked. */
function outputTail(child: ChildProcess, name: ServerName, log: Logger | undefined): () => string {
  const lines: string[] = [];
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > OUTPUT_TAIL_LINES) lines.shift();
      log?.debug({ server: name, pid: child.pid, line }, 'server output');
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return () => [...lines, partial].filter((l) => l.trim() !== '').join('\n');
}

async function waitReady(
  url: string,
  expectedStatus: number,
  timeoutMs: number,
  failure: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    const failed = failure();
    if (failed) throw new Error(failed);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === expectedStatus) return;
      lastProblem = `GET ${url} answered ${res.status}`;
    } catch (err) {
      lastProblem = `GET ${url}: ${(err as Error).message}`;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms (${lastProblem})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function requireBinary(binary: string, debianPackage: string): Promise<void> {
  try {
    await access(binary, constants.X_OK);
  } catch {
    throw new Error(
      `${binary} is not installed: run \`apt-get install -y ${debianPackage}\` ` +
        `(or scripts/ensure-deps.sh as root). Tests need the real server; they are never skipped.`,
    );
  }
}

function influxdConfig(dir: string, httpPort: number, rpcPort: number): string {
  const path = (sub: string) => JSON.stringify(join(dir, sub));
  // Only the services we use are listed; udp/graphite/collectd/opentsdb are off by default.
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = ${path('meta')}
  logging-enabled = false

[data]
  dir = ${path('data')}
  wal-dir = ${path('wal')}
  query-log-enabled = false
  trace-logging-enabled = false

[monitor]
  # No _internal database: it costs writes and shows up in SHOW DATABASES.
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = false
  log-enabled = false
  write-tracing = false
  pprof-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  log-enabled = false

[logging]
  level = "warn"
  suppress-logo = true
`;
}
