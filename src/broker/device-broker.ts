import { Aedes, type Client, type PublishPacket, type Subscription } from 'aedes';
import type { IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Logger } from 'pino';
import type { Config, RateLimit } from '../config.js';
import type { DeviceKind, UplinkChannel } from '../../devices/model.js';
import type { Metrics } from '../metrics.js';
import type { Device, DeviceRegistry } from '../registry/device-registry.js';
import { VerifiedSecretCache, verifySecret } from '../registry/secrets.js';
import type { DeadLetter } from '../store/outbox-types.js';
import { FrameSizeGuard } from './frame-guard.js';
import { TokenBuckets } from './token-bucket.js';
import { deviceTopic } from './topics.js';

/** What the broker hands a device's uplink to once it passed authentication, ACL and rate limit. */
export interface UplinkHandler {
  /** Settles when the message is durable (stored or dead-lettered); rejects only on storage failure. */
  uplink(device: Device, channel: UplinkChannel, topic: string, payload: Buffer): Promise<void>;
  lastWill(device: Device, topic: string, payload: Buffer): Promise<void>;
  connected(device: Device): void;
  disconnected(device: Device): void;
}

export interface DeviceBrokerOptions {
  config: Config['mqtt'];
  rateLimits: Record<DeviceKind, RateLimit>;
  registry: DeviceRegistry;
  handler: UplinkHandler;
  recordDeadLetter(letter: DeadLetter): void;
  metrics: Metrics;
  log: Logger;
  /**
   * aedes' shared-state seams, for running several gateway nodes: a Redis-backed
   * emitter (mqemitter-redis) and persistence (aedes-persistence-redis). Default: in-process.
   */
  cluster?: { mq?: unknown; persistence?: unknown };
  /** Told of every refusal by device id, so an installer can be shown why a new device is not heard. */
  onRefusal?(deviceId: string, reason: string, detail?: string): void;
}

class RefusedError extends Error {
  constructor(
    message: string,
    readonly returnCode: number,
  ) {
    super(message);
  }
}

const NOT_AUTHORIZED = 5;
const BAD_CREDENTIALS = 4;
const IDENTIFIER_REJECTED = 2;
const RATE_NOTICE_INTERVAL_MS = 5000;

/**
 * The embedded MQTT broker: aedes plus the gateway's rules for who may
 * connect, publish and subscribe. The order of steps for a PUBLISH is
 * authenticate (at CONNECT) → authorize topic → rate limit → uplink
 * (decode + durable) → PUBACK, because aedes sends the PUBACK right after
 * `authorizePublish` calls back.
 */
export class DeviceBroker {
  readonly aedes: Aedes;
  private readonly devicesByClient = new WeakMap<Client, Device>();
  /** A device's own event and status topics: the ACL compares strings instead of parsing every topic. */
  private readonly uplinkTopics = new WeakMap<Device, { event: string; status: string }>();
  private readonly willTopics = new WeakMap<Client, string | undefined>();
  private readonly secretCache = new VerifiedSecretCache(10 * 60_000);
  private readonly buckets = new TokenBuckets();
  private readonly lastRateNotice = new Map<string, number>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private tcpServer?: TcpServer;
  private tlsServer?: TlsServer;

  private constructor(private readonly options: DeviceBrokerOptions, aedes: Aedes) {
    this.aedes = aedes;
  }

  static async create(options: DeviceBrokerOptions): Promise<DeviceBroker> {
    let self: DeviceBroker | undefined;
    const aedes = await Aedes.createBroker({
      id: 'village-gateway',
      ...(options.cluster?.mq ? { mq: options.cluster.mq } : {}),
      ...(options.cluster?.persistence ? { persistence: options.cluster.persistence } : {}),
      maxClientsIdLength: 64,
      connectTimeout: 15_000,
      preConnect: (client, packet, done) => {
        self!.willTopics.set(client, packet.will?.topic);
        done(null, true);
      },
      authenticate: (client, username, password, done) => self!.authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => self!.authorizePublish(client, packet, done),
      authorizeSubscribe: (client, subscription, done) => self!.authorizeSubscribe(client, subscription, done),
    });
    self = new DeviceBroker(options, aedes);
    skipRoutingOfUplinks(aedes);
    self.watchClients();
    return self;
  }

  async listen(): Promise<{ port: number; tlsPort?: number }> {
    const { config } = this.options;
    this.tcpServer = createTcpServer((socket) => this.accept(socket));
    const port = await listenOn(this.tcpServer, config.port, config.host);
    let tlsPort: number | undefined;
    if (config.tls) {
      this.tlsServer = createTlsServer(
        { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile), minVersion: 'TLSv1.2' },
        (socket) => this.accept(socket),
      );
      tlsPort = await listenOn(this.tlsServer, config.tls.port, config.host);
    }
    return { port, ...(tlsPort !== undefined ? { tlsPort } : {}) };
  }

  /** MQTT over WebSocket: called by the HTTP server for upgrades on /mqtt. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => ws.terminate());
      this.attach(stream, request);
    });
  }

  isListening(): boolean {
    return this.tcpServer?.listening === true && !this.aedes.closed;
  }

  get connectedClients(): number {
    return this.aedes.connectedClients;
  }

  /** Gateway → device (cmd or reply). QoS 1 commands wait in aedes for the device's PUBACK. */
  publishToDevice(device: Device, channel: 'cmd' | 'reply', payload: unknown, qos: 0 | 1 = 0): Promise<void> {
    return new Promise((resolve, reject) => {
      this.aedes.publish(
        { cmd: 'publish', topic: deviceTopic(device, channel), payload: Buffer.from(JSON.stringify(payload)), qos, retain: false, dup: false },
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }

  /** Disconnects a device that was disabled or deleted. */
  disconnect(deviceId: string): void {
    this.secretCache.forget(deviceId);
    const client = (this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients[deviceId];
    client?.close();
  }

  async close(): Promise<void> {
    const closeServer = (server?: TcpServer | TlsServer) =>
      new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await Promise.all([closeServer(this.tcpServer), closeServer(this.tlsServer)]);
  }

  private accept(socket: Socket): void {
    // Nagle adds ~30 ms to every small PUBACK on these sockets (DESIGN.md, measured).
    socket.setNoDelay(true);
    this.attach(socket);
  }

  private attach(stream: Duplex, request?: IncomingMessage): void {
    const client = this.aedes.handle(stream, request);
    const parser = (client as unknown as { _parser?: { parse?: (buf: Buffer) => unknown } })._parser;
    if (!parser?.parse) throw new Error('aedes internals changed: client._parser.parse is gone; the packet size guard cannot be installed');
    const guard = new FrameSizeGuard(this.options.config.maxPacketBytes);
    const parse = parser.parse.bind(parser);
    parser.parse = (chunk: Buffer) => {
      const size = guard.feed(chunk);
      if (size === 0) return parse(chunk);
      this.refuseOversize(client, size);
      stream.destroy();
      return 0;
    };
  }

  private refuseOversize(client: Client, size: number): void {
    const device = this.devicesByClient.get(client);
    this.options.metrics.oversizePackets.inc();
    this.options.log.warn({ deviceId: device?.id ?? client.id, size, limit: this.options.config.maxPacketBytes }, 'oversize MQTT packet: connection closed');
    this.options.recordDeadLetter({
      stage: 'ingest',
      reason: 'oversize_packet',
      ...(device ? { site: device.site, kind: device.kind, deviceId: device.id } : {}),
      detail: `MQTT packet of ${size} bytes exceeds the ${this.options.config.maxPacketBytes}-byte limit; connection closed before reading it`,
      payloadSize: size,
      receivedAt: Date.now(),
    });
  }

  private watchClients(): void {
    const { metrics, log, handler } = this.options;
    this.aedes.on('clientReady', (client) => {
      const device = this.devicesByClient.get(client);
      if (!device) return;
      metrics.connections.inc({ kind: device.kind });
      handler.connected(device);
    });
    this.aedes.on('clientDisconnect', (client) => {
      const device = this.devicesByClient.get(client);
      if (!device) return;
      metrics.connections.dec({ kind: device.kind });
      handler.disconnected(device);
    });
    this.aedes.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'client error'));
    this.aedes.on('connectionError', (client, err) => log.debug({ err: err.message }, 'connection error before CONNECT completed'));
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (err: (Error & { returnCode: number }) | null, success: boolean | null) => void,
  ): void {
    const refuse = (reason: string, returnCode: number) => {
      this.options.metrics.connectRefused.inc({ reason });
      this.options.log.warn({ clientId: client.id, username, reason }, 'CONNECT refused');
      const detail =
        reason === 'client_id_mismatch' ? `client id "${client.id}", username "${username}"` : reason === 'will_topic_not_allowed' ? this.willTopics.get(client) : undefined;
      for (const id of new Set([username, client.id])) if (id) this.options.onRefusal?.(id, reason, detail);
      done(new RefusedError(reason, returnCode), false);
    };
    if (!username || !password) return refuse('missing_credentials', BAD_CREDENTIALS);
    // The client id must be the device id: otherwise one device could take over another's session.
    if (client.id !== username) return refuse('client_id_mismatch', IDENTIFIER_REJECTED);
    const device = this.options.registry.get(username);
    const stored = this.options.registry.secretHash(username);
    if (!device || !stored) return refuse('unknown_device', BAD_CREDENTIALS);
    if (device.disabled) return refuse('device_disabled', NOT_AUTHORIZED);
    const willTopic = this.willTopics.get(client);
    if (willTopic !== undefined && willTopic !== deviceTopic(device, 'status')) return refuse('will_topic_not_allowed', NOT_AUTHORIZED);
    const secret = password.toString('utf8');
    if (this.secretCache.has(device.id, secret)) {
      this.devicesByClient.set(client, device);
      return done(null, true);
    }
    verifySecret(secret, stored).then(
      (ok) => {
        if (!ok) return refuse('wrong_secret', BAD_CREDENTIALS);
        this.secretCache.remember(device.id, secret);
        this.devicesByClient.set(client, device);
        done(null, true);
      },
      (err: Error) => {
        this.options.log.error({ err, deviceId: device.id }, 'secret verification failed');
        refuse('verification_error', BAD_CREDENTIALS);
      },
    );
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void): void {
    // Publishes by the gateway itself never come through here; a null client is a will cleared by aedes.
    if (client === null) return done(null);
    const device = this.devicesByClient.get(client);
    // aedes hands the will to authorizePublish as the very object it holds in client.will while closing.
    const isWill = (client as unknown as { will?: unknown }).will === packet;
    const channel = device === undefined ? undefined : this.uplinkChannelOf(device, packet.topic);
    const allowed = device !== undefined && !device.disabled && channel !== undefined;
    if (!allowed) {
      this.options.metrics.aclDenied.inc({ action: 'publish' });
      this.options.log.warn({ deviceId: device?.id ?? client.id, topic: packet.topic }, 'publish refused by ACL');
      this.options.onRefusal?.(device?.id ?? client.id, 'acl_publish', packet.topic);
      // MQTT 3.1.1 has no negative PUBACK: the error closes the connection, as the spec allows (MQTT-3.3.5-2).
      return done(new Error(`not authorized to publish to ${packet.topic}`));
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const proceed = () => {
      const work = isWill
        ? this.options.handler.lastWill(device, packet.topic, payload)
        : this.options.handler.uplink(device, channel, packet.topic, payload);
      work.then(
        () => done(null),
        (err: Error) => {
          this.options.log.error({ err, deviceId: device.id }, 'message could not be made durable; withholding PUBACK');
          done(err);
        },
      );
    };
    if (isWill) return proceed();
    const waitMs = this.buckets.take(device.id, this.options.rateLimits[device.kind]);
    if (waitMs === 0) return proceed();
    this.options.metrics.rateLimited.inc({ kind: device.kind });
    this.noticeRateLimit(device, packet.topic);
    // Holding the callback holds this client's next socket read: only the flooding device slows down.
    setTimeout(proceed, waitMs);
  }

  private uplinkChannelOf(device: Device, topic: string): UplinkChannel | undefined {
    let topics = this.uplinkTopics.get(device);
    if (topics === undefined) {
      topics = { event: deviceTopic(device, 'event'), status: deviceTopic(device, 'status') };
      this.uplinkTopics.set(device, topics);
    }
    return topic === topics.event ? 'event' : topic === topics.status ? 'status' : undefined;
  }

  private noticeRateLimit(device: Device, topic: string): void {
    const now = Date.now();
    if ((this.lastRateNotice.get(device.id) ?? 0) + RATE_NOTICE_INTERVAL_MS > now) return;
    this.lastRateNotice.set(device.id, now);
    const limit = this.options.rateLimits[device.kind];
    this.options.log.warn({ deviceId: device.id, limit }, 'device rate-limited');
    this.publishToDevice(device, 'reply', {
      status: 'throttled',
      reason: 'rate_limited',
      topic,
      message: `more than ${limit.ratePerSecond} messages/s (burst ${limit.burst}) for kind ${device.kind}: acknowledgements are being delayed`,
      receivedAt: now,
    }).catch(() => undefined);
  }

  private authorizeSubscribe(
    client: Client,
    subscription: Subscription,
    done: (err: Error | null, subscription?: Subscription | null) => void,
  ): void {
    const device = this.devicesByClient.get(client);
    const allowed =
      device !== undefined &&
      (subscription.topic === deviceTopic(device, 'cmd') || subscription.topic === deviceTopic(device, 'reply'));
    if (allowed) return done(null, subscription);
    this.options.metrics.aclDenied.inc({ action: 'subscribe' });
    this.options.log.warn({ deviceId: device?.id ?? client.id, topic: subscription.topic }, 'subscription refused by ACL');
    this.options.onRefusal?.(device?.id ?? client.id, 'acl_subscribe', subscription.topic);
    // A negative SUBACK (0x80) keeps the device connected and tells it exactly which filter was refused.
    done(null, null);
  }
}

function listenOn(server: TcpServer | TlsServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

const UPLINK_TOPIC = /^v1\/[^/]+\/[^/]+\/[^/]+\/(?:event|status)$/;
const NO_SUBSCRIPTIONS: Promise<readonly unknown[]> = Promise.resolve(Object.freeze([]));

/**
 * Device uplinks have no MQTT subscribers: the ACL lets a device subscribe to
 * its own cmd and reply only (no wildcards), and the gateway consumes uplinks
 * through ingest, not through subscriptions. aedes still matches every
 * publish against its subscription tries twice (mq.emit and
 * persistence.subscriptionsByTopic), a few per cent of the main thread at
 * 30,000 msg/s. For uplink topics both answer "nobody" at once; every other
 * topic ($SYS, cmd, reply) is routed as before. Retained status messages are
 * still stored (that is `storeRetained`, untouched).
 */
function skipRoutingOfUplinks(aedes: Aedes): void {
  const internals = aedes as unknown as {
    mq?: { emit?: (packet: { topic: string }, done?: () => void) => void };
    persistence?: { subscriptionsByTopic?: (topic: string) => Promise<readonly unknown[]> };
  };
  const mq = internals.mq;
  const persistence = internals.persistence;
  if (typeof mq?.emit !== 'function' || typeof persistence?.subscriptionsByTopic !== 'function') {
    throw new Error('aedes internals changed: mq.emit or persistence.subscriptionsByTopic is gone; uplink routing cannot be skipped');
  }
  const emit = mq.emit.bind(mq);
  mq.emit = (packet, done) => {
    if (UPLINK_TOPIC.test(packet.topic)) return done?.();
    emit(packet, done);
  };
  const subscriptionsByTopic = persistence.subscriptionsByTopic.bind(persistence);
  persistence.subscriptionsByTopic = (topic) => (UPLINK_TOPIC.test(topic) ? NO_SUBSCRIPTIONS : subscriptionsByTopic(topic));
}
