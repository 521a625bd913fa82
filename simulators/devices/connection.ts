import mqtt, { type IClientOptions, type MqttClient, type Timer } from 'mqtt';
import type { DeviceKind } from '../../devices/model.js';
import type { Random } from '../village/random.js';
import type { ConnectGate } from './connect-gate.js';
import type { Scheduler, ScheduledTask } from './scheduler.js';
import type { KindStats } from './stats.js';

/**
 * One simulated device's MQTT connection, as the hardware does it:
 * client id and username = device id, password = its secret, a retained
 * Last Will `{"online":false}` on its own `status` topic, subscriptions to
 * its `cmd` and `reply`, QoS 1 uplinks, and reconnects with exponential
 * backoff and full jitter (1 s doubling to 60 s; 5 min after a refused
 * login). All its timers live in the fleet's scheduler.
 */

export interface DeviceIdentity {
  id: string;
  site: string;
  kind: DeviceKind;
  secret: string;
}

export interface ConnectionEnvironment {
  mqttUrl: string;
  scheduler: Scheduler;
  mqttTimer: Timer;
  gate: ConnectGate;
  random: Random;
  keepaliveSeconds?: number;
}

export interface ConnectionHandlers {
  /** Connected (again): the device says hello and resumes. */
  online(): void;
  /** A command on `cmd` (QoS 1). */
  command?(payload: Buffer): void;
}

type State = 'off' | 'waiting' | 'connecting' | 'online';

const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 60_000;
const REFUSED_BACKOFF_MS = 300_000;
/** A real device's MQTT stack holds a handful of unacknowledged messages; beyond that it drops heartbeats. */
const MAX_IN_FLIGHT = 32;
/** Events kept while offline and sent after reconnecting (oldest dropped first). */
const MAX_HELD_EVENTS = 200;

export class DeviceConnection {
  private client: MqttClient | undefined;
  private state: State = 'off';
  private attempt = 0;
  private refused = false;
  private inFlight = 0;
  /** Whether this connection is counted in `stats.online`. */
  private countedOnline = false;
  private retry: ScheduledTask | undefined;
  private readonly held: Buffer[] = [];
  readonly topics: { event: string; status: string; cmd: string; reply: string };

  constructor(
    readonly identity: DeviceIdentity,
    private readonly env: ConnectionEnvironment,
    private readonly stats: KindStats,
    private readonly handlers: ConnectionHandlers,
  ) {
    const base = `v1/${identity.site}/${identity.kind}/${identity.id}`;
    this.topics = { event: `${base}/event`, status: `${base}/status`, cmd: `${base}/cmd`, reply: `${base}/reply` };
  }

  get online(): boolean {
    return this.state === 'online';
  }

  get poweredOn(): boolean {
    return this.state !== 'off';
  }

  /** Power on: connect through the gate (staggered), and keep reconnecting until `powerOff`/`stop`. */
  start(): void {
    if (this.state !== 'off') return;
    this.state = 'waiting';
    this.attempt = 0;
    this.env.gate.request(() => this.open());
  }

  /** Power cut: the socket dies without a DISCONNECT, so the broker publishes the Last Will. No reconnect until `start`. */
  powerOff(): void {
    this.state = 'off';
    this.env.scheduler.cancel(this.retry);
    this.drop(true);
  }

  /** Orderly shutdown: DISCONNECT (the will is discarded, the gateway still sees the device go). */
  async stop(): Promise<void> {
    this.state = 'off';
    this.env.scheduler.cancel(this.retry);
    const client = this.client;
    this.client = undefined;
    this.markOffline();
    // Our listeners ignore a client that is no longer `this.client`; MQTT.js's own must stay (they clear its timers).
    if (client) await endWithin(client, END_GRACE_MS);
  }

  /**
   * QoS 1 uplink; resolves true on PUBACK. An event sent while offline is
   * held and sent after reconnecting (unless `hold: false`: the caller keeps
   * its own backlog); a heartbeat is simply skipped (the device sends a
   * fresh one on connect).
   */
  publish(channel: 'event' | 'status', payload: Buffer | string, options: { hold?: boolean } = {}): Promise<boolean> {
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const client = this.client;
    const hold = channel === 'event' && options.hold !== false;
    if (this.state !== 'online' || !client || (channel === 'status' && this.inFlight >= MAX_IN_FLIGHT)) {
      if (hold && this.state !== 'off') this.hold(bytes);
      else this.stats.dropped += 1;
      return Promise.resolve(false);
    }
    this.stats.sent += 1;
    this.inFlight += 1;
    return new Promise((resolve) => {
      client.publish(this.topics[channel], bytes, { qos: 1 }, (err) => {
        this.inFlight -= 1;
        if (err) {
          this.stats.failed += 1;
          if (hold && this.state !== 'off') this.hold(bytes);
          resolve(false);
        } else {
          this.stats.acked += 1;
          resolve(true);
        }
      });
    });
  }

  private hold(bytes: Buffer): void {
    if (this.held.length >= MAX_HELD_EVENTS) {
      this.held.shift();
      this.stats.dropped += 1;
    }
    this.held.push(bytes);
  }

  private open(): void {
    if (this.state !== 'waiting') {
      this.env.gate.release();
      return;
    }
    this.state = 'connecting';
    const { identity } = this;
    const options: IClientOptions = {
      clientId: identity.id,
      username: identity.id,
      password: identity.secret,
      protocolVersion: 4,
      clean: true,
      keepalive: this.env.keepaliveSeconds ?? 120,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      timerVariant: this.env.mqttTimer,
      will: { topic: this.topics.status, payload: Buffer.from('{"online":false}'), qos: 1, retain: true },
    };
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        this.env.gate.release();
      }
    };
    const client = mqtt.connect(this.env.mqttUrl, options);
    this.client = client;
    client.on('connect', () => {
      release();
      if (this.client !== client) return;
      this.state = 'online';
      this.attempt = 0;
      this.refused = false;
      this.stats.connects += 1;
      this.stats.online += 1;
      this.countedOnline = true;
      client.subscribe({ [this.topics.cmd]: { qos: 1 }, [this.topics.reply]: { qos: 0 } }, () => undefined);
      this.handlers.online();
      this.flushHeld();
    });
    client.on('message', (topic, payload) => {
      if (this.client !== client) return;
      if (topic === this.topics.cmd) {
        this.stats.commands += 1;
        this.handlers.command?.(payload);
      } else if (topic === this.topics.reply) this.reply(payload);
    });
    client.on('error', (err: Error & { code?: number }) => {
      if (this.client !== client) return;
      // CONNACK 4 (bad username or password) and 5 (not authorized) will not heal by retrying soon.
      if (err.code === 4 || err.code === 5) this.refused = true;
      this.stats.lastProblem = `${identity.id}: ${err.message}`;
    });
    client.on('close', () => {
      release();
      if (this.client !== client) return;
      this.lost();
    });
  }

  private lost(): void {
    this.drop(true);
    if (this.state === 'off') return;
    this.state = 'waiting';
    this.stats.disconnects += 1;
    this.attempt += 1;
    const ceiling = this.refused ? REFUSED_BACKOFF_MS : Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(16, this.attempt - 1));
    // Full jitter (half to all of the ceiling): a village that lost its gateway does not come back in one wave.
    const delay = ceiling * (0.5 + 0.5 * this.env.random.next());
    this.retry = this.env.scheduler.after(delay, () => this.env.gate.request(() => this.open()));
  }

  private drop(force: boolean): void {
    const client = this.client;
    this.client = undefined;
    this.markOffline();
    client?.end(force);
  }

  private markOffline(): void {
    if (this.countedOnline) this.stats.online -= 1;
    this.countedOnline = false;
  }

  private flushHeld(): void {
    const held = this.held.splice(0, this.held.length);
    for (const bytes of held) void this.publish('event', bytes);
  }

  private reply(payload: Buffer): void {
    let message: { status?: unknown; reason?: unknown; errors?: unknown };
    try {
      message = JSON.parse(payload.toString('utf8')) as typeof message;
    } catch {
      return;
    }
    if (message.status === 'rejected') {
      this.stats.rejected += 1;
      this.stats.lastProblem = `${this.identity.id}: rejected (${String(message.reason)}) ${JSON.stringify(message.errors ?? []).slice(0, 200)}`;
    } else if (message.status === 'throttled') this.stats.throttled += 1;
    else if (message.status === 'accepted') this.stats.warnings += 1;
  }
}

/** How long an orderly end may wait for in-flight PUBACKs before the socket is simply closed. */
const END_GRACE_MS = 3000;

/**
 * DISCONNECT after in-flight messages are acknowledged, but never wait for
 * ever. MQTT.js's graceful end waits for its 'outgoingEmpty' event, which only
 * an acknowledgement raises: a client between sockets (powered off,
 * mid-reconnect) with a message in flight never ends, and one such device held
 * a whole 11,000-device village at "stopping". Without a socket there is
 * nothing to wait for; with one, the wait is bounded.
 */
async function endWithin(client: MqttClient, graceMs: number): Promise<void> {
  if (!client.connected) {
    await client.endAsync(true).catch(() => undefined);
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const ended = client.endAsync(false).catch(() => undefined);
  const late = await Promise.race([
    ended.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
  if (late) {
    // The acknowledgements are not coming: let the pending end finish without them.
    client.emit('outgoingEmpty');
    await ended;
  }
}
