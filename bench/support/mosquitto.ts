import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../src/tools/local-servers.js';
import { sleep } from './machine.js';

/**
 * Debian's mosquitto (/usr/sbin/mosquitto, installed by scripts/ensure-deps.sh)
 * with a config of our own on a free loopback port: no persistence, anonymous
 * clients (credentials are ignored), generous in-flight and queue limits, and
 * TCP_NODELAY as the gateway sets it (DESIGN.md: Nagle adds ~30 ms). The
 * Debian service is never used; the process is stopped by its own handle.
 */
export interface Mosquitto {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const BINARY = '/usr/sbin/mosquitto';

export function mosquittoConfig(port: number): string {
  return `# written by bench/support/mosquitto.ts
listener ${port} 127.0.0.1
allow_anonymous true
persistence false
max_inflight_messages 1000
max_queued_messages 100000
set_tcp_nodelay true
log_dest stderr
log_type error
log_type warning
connection_messages false
`;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startMosquitto(timeoutMs = 10_000): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-mosquitto-'));
  const port = await freeLoopbackPort();
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(config, mosquittoConfig(port));
  const child = spawn(BINARY, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  const output: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (spawnError || child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`mosquitto did not start on 127.0.0.1:${port} (${spawnError?.message ?? `exit ${child.exitCode}`}; run scripts/ensure-deps.sh):\n${output.join('')}`);
    }
    await sleep(50);
  }
  return { port, pid: child.pid ?? -1, stop };
}
