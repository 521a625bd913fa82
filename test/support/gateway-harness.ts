import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { modelsForKind } from '../../devices/index.js';
import type { DeviceKind, DeviceModel, ValidExample } from '../../devices/model.js';
import { loadConfig } from '../../src/config.js';
import { Gateway, type GatewayAddresses } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const SITE_SECRET = 'test-site-secret-0123456789abcdef0123456789';

export interface Credentials {
  device: { id: string; site: string; kind: DeviceKind; model: string };
  secret: string;
  mqtt: { clientId: string; username: string; publish: string[]; subscribe: string[] };
}

export interface Harness {
  gateway: Gateway;
  addresses: GatewayAddresses;
  /** Every JSON log line the gateway wrote. */
  logLines: string[];
  dataDir: string;
  http(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: any; text: string }>;
  register(kind: DeviceKind, options?: { id?: string; site?: string; model?: DeviceModel }): Promise<Credentials>;
  connect(credentials: Credentials, options?: IClientOptions): Promise<MqttClient>;
  stop(): Promise<void>;
}

let counter = 0;

/** A gateway in this process, on free ports with a temporary data dir, writing to `influxUrl`. */
export async function startGateway(env: Record<string, string> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-'));
  const config = loadConfig({
    ADMIN_TOKEN,
    SITE_SECRET,
    DATA_DIR: dataDir,
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    SCRYPT_COST: '1024',
    PASSWORD_SCRYPT_COST: '1024',
    LOG_LEVEL: 'info',
    ...env,
  });
  const logLines: string[] = [];
  const log = createLogger(config.logLevel, { write: (line: string) => void logLines.push(line) });
  const gateway = new Gateway(config, log);
  const addresses = await gateway.start();
  const clients: MqttClient[] = [];
  const base = `http://127.0.0.1:${addresses.httpPort}`;

  const http: Harness['http'] = async (method, path, body, token = ADMIN_TOKEN) => {
    const response = await fetch(base + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  };

  return {
    gateway,
    addresses,
    logLines,
    dataDir,
    http,
    async register(kind, options = {}) {
      const model = options.model ?? modelsForKind(kind)[0]!;
      const id = options.id ?? `${kind}-${process.pid}-${++counter}`;
      const response = await http('POST', '/api/devices', { id, site: options.site ?? 'testvillage', kind, model: `${model.vendor}/${model.model}` });
      if (response.status !== 201) throw new Error(`register failed: ${response.status} ${response.text}`);
      return response.json as Credentials;
    },
    async connect(credentials, options = {}) {
      const client = mqtt.connect(`mqtt://127.0.0.1:${addresses.mqttPort}`, {
        clientId: credentials.mqtt.clientId,
        username: credentials.mqtt.username,
        password: credentials.secret,
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ...options,
      });
      clients.push(client);
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('error', reject);
        client.once('close', () => reject(new Error('connection closed before CONNACK')));
      });
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The first valid example of a model on a channel: what a real device of that model sends. */
export function examplePayload(model: DeviceModel, channel: 'event' | 'status' = 'event'): Buffer {
  const example = model.examples.find((e): e is ValidExample => 'expect' in e && e.channel === channel);
  if (!example) throw new Error(`model ${model.vendor}/${model.model} has no valid ${channel} example`);
  if (example.hex !== undefined) return Buffer.from(example.hex, 'hex');
  if (example.text !== undefined) return Buffer.from(example.text);
  return Buffer.from(typeof example.payload === 'string' ? example.payload : JSON.stringify(example.payload));
}

/** Waits for the first message on a topic the client subscribed to, or fails after `ms`. */
export function nextMessage(client: MqttClient, topic: string, ms = 5000): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no message on ${topic} within ${ms} ms`));
    }, ms);
    const onMessage = (received: string, payload: Buffer) => {
      if (received !== topic) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(JSON.parse(payload.toString()));
    };
    client.on('message', onMessage);
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
