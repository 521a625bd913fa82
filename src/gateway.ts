import { mkdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { deviceModels, findModel } from '../devices/index.js';
import type { ProtectedCard } from '../devices/model.js';
import { BearerTokens } from './api/auth.js';
import { createHttpServer } from './api/http-server.js';
import { deadLetterRoutes } from './api/routes/dead-letters.js';
import { deviceModelRoutes } from './api/routes/device-models.js';
import { deviceRoutes } from './api/routes/devices.js';
import { auditRoutes } from './api/routes/audit.js';
import { ConfigAudit } from './audit/config-audit.js';
import { operationsRoutes, type ReadinessCheck } from './api/routes/operations.js';
import { DeviceBroker } from './broker/device-broker.js';
import type { Config } from './config.js';
import { EventBus } from './event-bus.js';
import { Availability, type AvailabilityChange } from './ingest/availability.js';
import { Ingest, type IngestedMessage, type RejectedMessage } from './ingest/ingest.js';
import { siteCardProtectors } from './ingest/card-keys.js';
import type { IngestThreadOptions } from './ingest/ingest-thread.js';
import { isOfflineNotice } from './ingest/offline-notice.js';
import { createMetrics, type Metrics } from './metrics.js';
import { DeviceRegistry } from './registry/device-registry.js';
import { GATEWAY_MIGRATIONS } from './registry/schema.js';
import { DurableOutbox } from './store/outbox.js';
import { migrate, openDatabase, type SqliteDatabase } from './store/sqlite.js';
import { InfluxWriter, ensureDatabase } from './writer/influx-writer.js';
import type { Incident } from './incidents/incident-store.js';
import { ResponseSystem } from './response/response-system.js';
import { incidentRoutes } from './api/routes/incidents.js';
import { registerRoutes } from './api/routes/registers.js';
import { Registers } from './registers/registers.js';
import { Accounts } from './accounts/accounts.js';
import { ensureFirstAdmin } from './accounts/first-admin.js';
import { LoginRateLimit } from './accounts/login-rate-limit.js';
import { CompositeResolver, SessionResolver } from './accounts/session-resolver.js';
import { accountRoutes } from './api/routes/accounts.js';
import { createPairing, wirePairing, type Pairing } from './pairing/index.js';
import { recordRefusal } from './pairing/refusals.js';
import { pairingRoutes } from './api/routes/pairing.js';
import { brigadeRoutes } from './api/routes/brigade.js';
import { brigadeConsoleRoutes } from './api/routes/brigade-console.js';
import { siteRoutes } from './api/routes/site.js';
import { createLiveFeed, type LiveFeed } from './live/live-feed.js';
import { webRoutes } from './web/web-routes.js';
import { Maintenance } from './maintenance/maintenance.js';
import { maintenanceRoutes } from './api/routes/maintenance.js';
import { BrigadeSubscriptions, WebhookDispatcher, WebhookOutbox, wireBrigadeNotifications } from './notify/index.js';

export interface GatewayEvents extends Record<string, unknown> {
  ingested: IngestedMessage;
  rejected: RejectedMessage;
  availability: AvailabilityChange;
  /** An incident was opened or changed (rules, dispatch, operators). */
  incident: Incident;
  /** The brigade must be told about this incident. */
  brigade: { incident: Incident; reason: string };
}

export interface GatewayAddresses {
  mqttPort: number;
  mqttTlsPort?: number;
  httpPort: number;
}

/**
 * The composition root: builds every capability, wires them in the one
 * direction data flows (broker → ingest → outbox → writer; ingest → bus →
 * downstream consumers), starts them in dependency order and stops them in
 * reverse. Tests build one with port 0 and a temporary data dir.
 */
export class Gateway {
  readonly metrics: Metrics;
  readonly bus: EventBus<GatewayEvents>;
  readonly registry: DeviceRegistry;
  readonly outbox: DurableOutbox;
  readonly writer: InfluxWriter;
  readonly response: ResponseSystem;
  readonly registers: Registers;
  readonly accounts: Accounts;
  readonly pairing: Pairing;
  /** Planned maintenance windows: their devices' offline and silence raise no incident (docs/maintenance.md). */
  readonly maintenance: Maintenance;
  private unwireMaintenance?: () => void;
  /** Who changed devices, teams and brigade subscriptions (GET /api/audit). */
  readonly configAudit: ConfigAudit;
  private unwirePairing?: () => void;
  readonly brigadeSubscriptions: BrigadeSubscriptions;
  readonly brigadeOutbox: WebhookOutbox;
  private readonly brigadeDispatcher: WebhookDispatcher;
  private unwireBrigade?: () => void;
  private liveFeed?: LiveFeed;
  private readonly db: SqliteDatabase;
  private readonly ingest: Ingest;
  private availability?: Availability;
  private broker?: DeviceBroker;
  private http?: FastifyInstance;
  private readonly cardProtectorFor: (site: string) => (card: string) => ProtectedCard;

  constructor(
    readonly config: Config,
    readonly log: Logger,
  ) {
    this.metrics = createMetrics();
    this.bus = new EventBus<GatewayEvents>(log);
    mkdirSync(config.dataDir, { recursive: true });
    this.db = openDatabase(join(config.dataDir, 'gateway.db'));
    migrate(this.db, GATEWAY_MIGRATIONS);
    this.registry = new DeviceRegistry(this.db);
    this.configAudit = new ConfigAudit(this.db);
    this.brigadeSubscriptions = new BrigadeSubscriptions(this.db);
    this.brigadeOutbox = new WebhookOutbox(this.db);
    this.brigadeDispatcher = new WebhookDispatcher({ outbox: this.brigadeOutbox, log: log.child({ component: 'brigade-webhooks' }) });
    this.pairing = createPairing({ db: this.db, registry: this.registry, findModel, scryptCost: config.scryptCost });
    this.outbox = new DurableOutbox({
      file: join(config.dataDir, 'outbox.db'),
      sync: config.outbox.sync,
      maxMessages: config.outbox.maxMessages,
      onCommit: (messages) => this.metrics.commitMessages.observe(messages),
      // Decoding runs in the outbox thread, beside the commit it feeds (ingest/ingest-thread.ts).
      preparer: {
        module: new URL(`./ingest/ingest-thread${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href,
        options: { ingest: config.ingest, siteSecret: config.siteSecret } satisfies IngestThreadOptions,
      },
    });
    this.cardProtectorFor = siteCardProtectors(config.siteSecret);
    this.ingest = new Ingest({
      sink: this.outbox,
      reply: (device, message) => {
        this.broker?.publishToDevice(device, 'reply', message).catch(() => undefined);
      },
      metrics: this.metrics,
      log: log.child({ component: 'ingest' }),
    });
    this.writer = new InfluxWriter({
      target: config.influx,
      batchLines: config.writerBatchLines,
      log: log.child({ component: 'writer' }),
      metrics: {
        batchWritten: (lines, seconds) => {
          this.metrics.batchLines.observe(lines);
          this.metrics.writeSeconds.observe(seconds);
        },
        writeFailed: (kind) => this.metrics.writeErrors.inc({ kind }),
        linesDeadLettered: (count) => this.metrics.linesDeadLettered.inc(count),
      },
    }, this.outbox, this.outbox);
    this.registers = new Registers(this.db, (site) => this.cardProtectorFor(site));
    this.response = new ResponseSystem({
      config,
      db: this.db,
      devices: this.registry,
      bus: this.bus,
      enrichment: this.registers,
      sendCommand: async (deviceId, payload) => {
        const device = this.registry.get(deviceId);
        if (!device) throw new Error(`device ${deviceId} is not registered`);
        if (!this.broker) throw new Error('broker not started');
        await this.broker.publishToDevice(device, 'cmd', payload, 1);
      },
      record: (lines) => {
        this.outbox.append(lines, 0).catch((err: unknown) => log.error({ err }, 'dispatch record not stored'));
      },
      metrics: this.metrics,
      log,
    });
    this.accounts = new Accounts({
      db: this.db,
      scryptCost: config.accounts.passwordScryptCost,
      sessions: config.accounts.sessions,
      teamExists: (teamId) => this.response.teams.get(teamId) !== undefined,
    });
    this.maintenance = new Maintenance({
      db: this.db,
      devices: this.registry,
      zoneOf: (device) => this.response.locator.locate(device).zone,
      zones: () => this.response.currentSite?.zones,
    });
    this.unwireMaintenance = this.response.useMaintenance(this.maintenance);
  }

  async start(): Promise<GatewayAddresses> {
    const { config, log } = this;
    const firstAdmin = await ensureFirstAdmin(this.accounts, config.accounts.firstAdmin);
    if (firstAdmin === 'created') log.warn({ username: config.accounts.firstAdmin?.username }, 'first admin account created from FIRST_ADMIN_USERNAME; unset FIRST_ADMIN_PASSWORD now');
    if (firstAdmin === 'not-configured') log.warn('no admin account yet: run src/tools/create-admin.ts or set FIRST_ADMIN_USERNAME and FIRST_ADMIN_PASSWORD');
    this.outbox.on('error', (err: Error) => log.fatal({ err }, 'outbox storage failed: no message can be acknowledged'));
    await this.outbox.start();
    this.registry.markAllOffline();

    if (config.influx.api === 'v1') {
      await ensureDatabase(config.influx).catch((err: Error) =>
        log.warn({ err: err.message, url: config.influx.url }, 'InfluxDB not reachable at start; the outbox keeps everything until it is'),
      );
    }
    this.writer.start();

    this.availability = new Availability({
      registry: this.registry,
      heartbeatSecondsOf: (device) => findModel(device.model)?.heartbeatSeconds ?? 60,
      timeoutFactor: config.ingest.heartbeatTimeoutFactor,
      append: (lines, messages) => this.outbox.append(lines, messages),
      onChange: (change) => this.bus.emit('availability', change),
      metrics: this.metrics,
      log: log.child({ component: 'availability' }),
    });
    this.availability.start();

    const availability = this.availability;
    this.unwirePairing = wirePairing(this.bus, this.pairing.commissioning);
    this.broker = await DeviceBroker.create({
      onRefusal: recordRefusal,
      config: config.mqtt,
      rateLimits: config.ingest.rateLimits,
      registry: this.registry,
      recordDeadLetter: (letter) => this.outbox.record(letter),
      metrics: this.metrics,
      log: log.child({ component: 'broker' }),
      handler: {
        uplink: async (device, channel, topic, payload) => {
          availability.seen(device);
          if (channel === 'status' && isOfflineNotice(payload)) {
            availability.offline(device, 'last-will');
            return;
          }
          const outcome = await this.ingest.handle(device, channel, payload);
          if (outcome.status === 'stored') this.bus.emit('ingested', outcome);
          else this.bus.emit('rejected', outcome);
        },
        lastWill: async (device, topic, payload) => {
          if (isOfflineNotice(payload)) availability.offline(device, 'last-will');
          else await this.ingest.handle(device, 'status', payload);
        },
        connected: (device) => availability.connected(device),
        disconnected: (device) => availability.offline(device, 'disconnected'),
      },
    });
    const mqtt = await this.broker.listen();
    // Wired before the response system starts, so no brigade event is missed.
    this.unwireBrigade = wireBrigadeNotifications(this.bus, { subscriptions: this.brigadeSubscriptions, outbox: this.brigadeOutbox });
    this.brigadeDispatcher.start();
    await this.response.start();

    const broker = this.broker;
    const bearer = new BearerTokens([
      { token: config.adminToken, principal: { name: 'admin-token', role: 'admin' } },
      ...config.apiTokens.map((t) => ({ token: t.token, principal: { name: t.name, role: t.role } })),
    ]);
    const auth = new CompositeResolver([bearer, new SessionResolver(this.accounts)]);
    const liveFeed = createLiveFeed({
      bus: this.bus,
      registry: this.registry,
      response: this.response,
      metrics: this.metrics,
      outboxDepth: () => this.outbox.depth().messages,
      auth,
      log,
      targetSeconds: config.dispatch.targetSeconds,
      teamStaleAfterMs: config.dispatch.staleAfterMs,
      maintenance: this.maintenance,
    });
    this.liveFeed = liveFeed;
    const http = await createHttpServer({
      log,
      trustProxy: config.http.trustProxy,
      upgrades: {
        '/mqtt': (request, socket, head) => broker.handleUpgrade(request, socket, head),
        '/ws': (request, socket, head) => liveFeed.handleUpgrade(request, socket, head),
      },
    });
    this.http = http;
    await http.register(operationsRoutes, {
      checks: this.readinessChecks(),
      registry: this.metrics.registry,
      beforeScrape: () => this.refreshGauges(),
    });
    await http.register(deviceModelRoutes, { models: deviceModels });
    await http.register(deviceRoutes, {
      registry: this.registry,
      findModel,
      scryptCost: config.scryptCost,
      auth,
      revoke: (deviceId) => broker.disconnect(deviceId),
      audit: this.configAudit,
    });
    await http.register(deadLetterRoutes, { auth, list: (filter) => this.outbox.listDeadLetters(filter) });
    await http.register(incidentRoutes, { auth, response: this.response, devices: this.registry, audit: this.configAudit });
    await http.register(registerRoutes, { registers: this.registers, auth });
    await http.register(maintenanceRoutes, { maintenance: this.maintenance, auth, audit: this.configAudit });
    await http.register(siteRoutes, { auth, response: this.response, timeZone: this.config.siteTimeZone });
    await http.register(webRoutes, { auth });
    await http.register(brigadeRoutes, { subscriptions: this.brigadeSubscriptions, outbox: this.brigadeOutbox, auth, audit: this.configAudit });
    await http.register(brigadeConsoleRoutes, { auth, response: this.response, devices: this.registry });
    await http.register(auditRoutes, { auth, audit: this.configAudit });
    await http.register(pairingRoutes, { auth, pairing: this.pairing, audit: this.configAudit, mqtt: { port: mqtt.port, ...(mqtt.tlsPort !== undefined ? { tlsPort: mqtt.tlsPort } : {}), websocketPath: '/mqtt' } });
    await http.register(accountRoutes, {
      accounts: this.accounts,
      auth,
      loginRateLimit: new LoginRateLimit(config.accounts.loginRateLimit),
      cookieSecure: config.accounts.cookieSecure,
    });
    await http.listen({ port: config.http.port, host: config.http.host });
    const address = http.server.address();
    const httpPort = typeof address === 'object' && address ? address.port : config.http.port;

    const addresses: GatewayAddresses = {
      mqttPort: mqtt.port,
      httpPort,
      ...(mqtt.tlsPort !== undefined ? { mqttTlsPort: mqtt.tlsPort } : {}),
    };
    log.info({ ...addresses, influx: config.influx.url, influxApi: config.influx.api }, 'gateway started');
    return addresses;
  }

  async stop(): Promise<void> {
    await this.liveFeed?.stop();
    await this.http?.close();
    await this.broker?.close();
    await this.response.stop();
    this.unwireMaintenance?.();
    this.maintenance.stop();
    this.unwireBrigade?.();
    await this.brigadeDispatcher.stop();
    this.availability?.stop();
    await this.writer.stop();
    await this.outbox.stop();
    this.unwirePairing?.();
    this.db.close();
    this.log.info('gateway stopped');
  }

  private refreshGauges(): void {
    const depth = this.outbox.depth();
    this.metrics.outboxDepth.set(depth.messages);
    this.metrics.outboxLines.set(depth.lines);
    this.metrics.outboxFull.set(this.outbox.isFull() ? 1 : 0);
  }

  private readinessChecks(): ReadinessCheck[] {
    return [
      { name: 'broker', check: async () => ({ ok: this.broker?.isListening() === true }) },
      { name: 'sqlite', check: async () => ({ ok: this.outbox.healthy() && this.db.open }) },
      {
        name: 'influxdb',
        check: async () => {
          const ok = await this.writer.ping();
          return { ok, ...(ok ? {} : { detail: `not reachable at ${this.config.influx.url}` }) };
        },
      },
      {
        name: 'outbox',
        check: async () => {
          const depth = this.outbox.depth();
          const full = this.outbox.isFull();
          return { ok: !full, detail: `${depth.messages} of ${this.outbox.maxMessages} messages waiting` };
        },
      },
    ];
  }
}
