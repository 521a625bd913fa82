import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import type { Fleet } from '../devices/fleet.js';
import type { FleetStats } from '../devices/stats.js';
import type { TrackerEvent } from '../devices/tracker.js';
import { requireLoopback } from '../args.js';

/**
 * How a scenario makes the village's devices do something: publish a given
 * payload as a device (over that device's own MQTT connection), cut or
 * restore a device's power, read the clock and the counters. A village run
 * serves it on a loopback port (its address and a token in control.json,
 * mode 600), so a scenario in another process can drive the devices the
 * running village already holds connections for (a second connection with
 * the same client id would take the session over).
 */

export interface ControlStatus {
  speed: number;
  realNow: number;
  simNow: number;
  simClock: string;
  devices: number;
  online: number;
  stats: FleetStats;
}

export interface PublishRequest {
  deviceId: string;
  channel: 'event' | 'status';
  /** A JSON payload (sent as is: add `ts` yourself), or raw bytes as hex. */
  json?: Record<string, unknown>;
  hex?: string;
}

export interface VillageControl {
  status(): Promise<ControlStatus>;
  /** Resolves true once the gateway acknowledged (PUBACK); false when the device is unknown or offline. */
  publish(request: PublishRequest): Promise<boolean>;
  /** Power off (socket dies, Last Will) or on; returns how many devices were known. */
  power(deviceIds: readonly string[], on: boolean): Promise<number>;
  trackerEvents(): Promise<TrackerEvent[]>;
}

export class LocalControl implements VillageControl {
  constructor(private readonly fleet: Fleet) {}

  async status(): Promise<ControlStatus> {
    const { clock } = this.fleet;
    const simNow = clock.simNow();
    return { speed: clock.speed, realNow: Date.now(), simNow, simClock: clock.format(simNow), devices: this.fleet.devices.size, online: this.fleet.onlineCount, stats: this.fleet.stats };
  }

  async publish(request: PublishRequest): Promise<boolean> {
    const device = this.fleet.device(request.deviceId);
    if (!device || !device.connection.online) return false;
    const payload = request.hex !== undefined ? Buffer.from(request.hex, 'hex') : JSON.stringify(request.json ?? {});
    return device.connection.publish(request.channel, payload, { hold: false });
  }

  async power(deviceIds: readonly string[], on: boolean): Promise<number> {
    let known = 0;
    for (const id of deviceIds) {
      const device = this.fleet.device(id);
      if (!device) continue;
      known += 1;
      if (on) device.powerOn();
      else device.powerOff();
    }
    return known;
  }

  async trackerEvents(): Promise<TrackerEvent[]> {
    return [...this.fleet.trackers.values()].flatMap((tracker) => tracker.events).sort((a, b) => a.at - b.at);
  }
}

export const CONTROL_FILE = 'control.json';

interface ControlFile {
  url: string;
  token: string;
  pid: number;
}

/** Serves a control on 127.0.0.1; writes control.json into the village dir and removes it on close. */
export async function serveControl(control: VillageControl, dir: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const token = randomBytes(18).toString('base64url');
  const server: Server = createServer((request, response) => {
    void handle(request)
      .then(([status, body]) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      })
      .catch((err: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: (err as Error).message }));
      });
  });
  async function handle(request: IncomingMessage): Promise<[number, unknown]> {
    if (request.headers.authorization !== `Bearer ${token}`) return [401, { error: 'control token required (see control.json)' }];
    const body = request.method === 'POST' ? ((await readJson(request)) as Record<string, unknown>) : {};
    switch (`${request.method} ${request.url}`) {
      case 'GET /status':
        return [200, await control.status()];
      case 'POST /publish':
        return [200, { acked: await control.publish(body as unknown as PublishRequest) }];
      case 'POST /power':
        return [200, { known: await control.power((body.deviceIds as string[] | undefined) ?? [], body.on === true) }];
      case 'GET /tracker-events':
        return [200, { events: await control.trackerEvents() }];
      default:
        return [404, { error: `no such control: ${request.method} ${request.url}` }];
    }
  }
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  const file = join(dir, CONTROL_FILE);
  writeFileSync(file, JSON.stringify({ url, token, pid: process.pid } satisfies ControlFile), { mode: 0o600 });
  chmodSync(file, 0o600);
  return {
    url,
    async close() {
      rmSync(file, { force: true });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new Error('control request too large');
    chunks.push(chunk as Buffer);
  }
  return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : {};
}

/** The control of a village running in another process, found through its control.json. */
export class RemoteControl implements VillageControl {
  private constructor(
    private readonly url: string,
    private readonly token: string,
  ) {
    requireLoopback(url, 'village control URL');
  }

  /** The running village's control, or undefined when none is running from this directory. */
  static async find(dir: string): Promise<RemoteControl | undefined> {
    const file = join(dir, CONTROL_FILE);
    if (!existsSync(file)) return undefined;
    const { url, token, pid } = JSON.parse(readFileSync(file, 'utf8')) as ControlFile;
    try {
      process.kill(pid, 0);
    } catch {
      return undefined;
    }
    const control = new RemoteControl(url, token);
    try {
      await control.status();
      return control;
    } catch {
      return undefined;
    }
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const parsed = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`village control ${path}: ${parsed.error ?? response.status}`);
    return parsed;
  }

  status(): Promise<ControlStatus> {
    return this.call('GET', '/status');
  }

  async publish(request: PublishRequest): Promise<boolean> {
    return (await this.call<{ acked: boolean }>('POST', '/publish', request)).acked;
  }

  async power(deviceIds: readonly string[], on: boolean): Promise<number> {
    return (await this.call<{ known: number }>('POST', '/power', { deviceIds, on })).known;
  }

  async trackerEvents(): Promise<TrackerEvent[]> {
    return (await this.call<{ events: TrackerEvent[] }>('GET', '/tracker-events')).events;
  }
}
