import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DeviceKind } from '../../devices/model.js';
import type { Principal, PrincipalResolver, Role } from '../api/auth.js';
import type { EventBus } from '../event-bus.js';
import type { GatewayEvents } from '../gateway.js';
import type { AvailabilityChange } from '../ingest/availability.js';
import type { IngestedMessage } from '../ingest/ingest.js';
import { SEVERITY_RANK, type Incident } from '../incidents/incident-store.js';
import type { Maintenance } from '../maintenance/maintenance.js';
import type { MaintenanceWindow } from '../maintenance/maintenance-store.js';
import type { Metrics } from '../metrics.js';
import type { Device, DeviceRegistry } from '../registry/device-registry.js';
import type { ResponseSystem } from '../response/response-system.js';
import type { Site } from '../site/site.js';
import { audienceFor, narrowBatch, narrowSnapshot, type Audience } from './audience.js';
import { BatchRing } from './batch-ring.js';
import {
  CLOSED_STATUSES,
  DEVICE_FIELDS,
  wireDevice,
  wireMaintenance,
  wireOrder,
  wireTeam,
  type BatchMessage,
  type FeedSettings,
  type ResumeMessage,
  type SnapshotMessage,
  type TickerEntry,
  type TickerType,
  type WireCounters,
  type WireCoverage,
  type WireIncident,
  type WireMaintenance,
  type WireOrder,
  type WireTeam,
} from './wire.js';

export interface LiveFeedOptions {
  bus: EventBus<GatewayEvents>;
  registry: Pick<DeviceRegistry, 'get' | 'list' | 'count'>;
  response: Pick<ResponseSystem, 'incidents' | 'orders' | 'teams' | 'coverage' | 'currentSite' | 'locator'>;
  metrics: Pick<Metrics, 'messagesIn' | 'messagesRejected'>;
  /** Messages durable but not yet in InfluxDB (`gateway.outbox.depth().messages`). */
  outboxDepth(): number;
  /**
   * Planned maintenance windows (docs/maintenance.md): the feed carries the
   * active and upcoming ones, and each device the id of the window covering it.
   * Without it the list is empty and no device is covered.
   */
  maintenance?: Pick<Maintenance, 'pending' | 'activeWindows' | 'covers' | 'devicesIn' | 'onChange'>;
  /** Who is connecting: the session cookie in production, bearer tokens for tools. */
  auth: PrincipalResolver;
  log: Logger;
  /** Roles that may watch the feed; each must have an audience (`AUDIENCES` in audience.ts), else it is refused. */
  roles?: readonly Role[];
  /** Changes are coalesced per entity and sent once per this many ms. */
  batchMs?: number;
  /** Batches kept for resuming pages, by count and by bytes. */
  ringSize?: number;
  ringMaxBytes?: number;
  /** A page whose unsent data exceeds this is dropped; it reconnects and resumes or gets a snapshot. */
  maxBufferedBytes?: number;
  maxClients?: number;
  counterMs?: number;
  coverageMs?: number;
  /** Full comparison with the registry (devices added or deleted through the API are not on the bus). */
  reconcileMs?: number;
  pingMs?: number;
  /**
   * How often each page's credentials are checked again: a page stays open for
   * days, a session ends (logout, expiry, account disabled) — and the page with it.
   */
  recheckMs?: number;
  tickerPerBatch?: number;
  tickerKept?: number;
  targetSeconds?: number;
  teamStaleAfterMs?: number;
  /** Origins besides the request's own host that may open the feed (a wall served from another name). */
  allowedOrigins?: readonly string[];
  now?: () => number;
}

export interface LiveFeed {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  stop(): Promise<void>;
  /** For tests and /metrics-like checks. */
  stats(): { epoch: string; seq: number; clients: number; dropped: number; ring: number };
}

export const LIVE_ROLES: readonly Role[] = ['operator', 'admin', 'brigade'];

/** Sent when the feed closes a page: the page reconnects (and resumes) on any of them. */
export const CLOSE_CODES = { goingAway: 1001, sessionEnded: 4401, tooSlow: 4008 } as const;

interface Client {
  ws: WebSocket;
  principal: Principal;
  /** What this page may see: its frames are its audience's. */
  audience: Audience;
  /** The upgrade request as the resolver saw it, to ask again later. */
  credentials: FastifyRequest;
  alive: boolean;
}

/** Frames are encoded once as bytes but are JSON: they go out as text frames, which a browser hands over as a string. */
const TEXT = { binary: false } as const;

const EMPTY_COUNTERS: WireCounters = { online: {}, total: {}, messagesPerSecond: 0, rejects: 0, rejectsPerSecond: 0, outboxDepth: 0, clients: 0 };

export function createLiveFeed(options: LiveFeedOptions): LiveFeed {
  const feed = new LiveFeedServer(options);
  feed.start();
  return feed;
}

/**
 * The operators' live feed on `/ws`. On connect a page gets a snapshot (or,
 * when it says where it was with `?epoch=…&since=…`, only the batches it
 * missed); after that, every `batchMs` one batch with each changed device,
 * incident and team once, in its latest state, so a page keeps up with
 * thousands of devices however often each one talks. Each role sees only its
 * audience's share (audience.ts: the brigade gets cameras, fire detectors and
 * their incidents). Every batch is encoded once per audience, and the same
 * bytes go to every page of that audience and into the audience's resume ring.
 */
export class LiveFeedServer implements LiveFeed {
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  /** One resume ring per audience: a page resumes with its own audience's frames. */
  private readonly rings = new Map<Audience, BatchRing>();
  private readonly epoch = randomBytes(6).toString('base64url');
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly settings: FeedSettings;
  private seq = 0;
  private dropped = 0;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly timers: NodeJS.Timeout[] = [];

  private readonly dirtyDevices = new Set<string>();
  /** Devices gone from the registry, with their kind (to tell which audiences knew them). */
  private readonly removedDevices = new Map<string, DeviceKind>();
  private readonly dirtyIncidents = new Map<number, Incident>();
  /** Open incidents as last seen, to tell the ticker what kind of change an `incident` event is. */
  private readonly openIncidents = new Map<number, { severity: Incident['severity']; updates: number }>();
  private readonly sentTeams = new Map<string, string>();
  /**
   * What the pages were told about each device's kind and health: the online
   * counts are kept from it, so the counters always agree with the map.
   */
  private knownDevices = new Map<string, { kind: DeviceKind; online: boolean }>();
  private totals: Partial<Record<DeviceKind, number>> = {};
  private online: Partial<Record<DeviceKind, number>> = {};
  private lastReconcile = 0;

  private counters: WireCounters = EMPTY_COUNTERS;
  private sentCounters = '';
  private countersDue = false;
  private countersRunning = false;
  private lastCounterSample?: { at: number; messages: number; rejects: number };

  private coverage: WireCoverage | null = null;
  private sentCoverage = 'null';
  private coverageDue = false;
  private site: Site | undefined;

  /** The maintenance list as last read (`pending()` is replaced at every change), and as last sent. */
  private maintenanceSeen?: readonly MaintenanceWindow[];
  private sentMaintenance = '[]';

  private readonly ticker: TickerEntry[] = [];
  private pendingTicker: TickerEntry[] = [];
  private tickerDropped = 0;
  private tickerId = 0;

  /** The snapshot of one seq, built once and encoded once per audience. */
  private snapshotCache?: { seq: number; message: SnapshotMessage; frames: Map<Audience, Buffer> };

  constructor(private readonly options: LiveFeedOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log.child({ component: 'live' });
    for (const role of options.roles ?? LIVE_ROLES) {
      const audience = audienceFor(role);
      if (audience && !this.rings.has(audience)) this.rings.set(audience, new BatchRing(options.ringSize ?? 240, options.ringMaxBytes ?? 16 * 1024 * 1024));
    }
    this.settings = {
      targetSeconds: options.targetSeconds ?? 180,
      teamStaleAfterMs: options.teamStaleAfterMs ?? 120_000,
      batchMs: options.batchMs ?? 250,
    };
    // Pages only listen: 4 KiB is plenty for anything a page might send, and nothing it sends is read.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false, clientTracking: false });
  }

  start(): void {
    const { bus, response } = this.options;
    this.site = response.currentSite;
    for (const incident of response.incidents.list({ open: true, limit: 1000 })) {
      this.openIncidents.set(incident.id, { severity: incident.severity, updates: incident.updates });
    }
    this.reconcile();
    for (const team of response.teams.list()) this.sentTeams.set(team.id, JSON.stringify(wireTeam(team)));
    this.coverage = this.readCoverage();
    this.sentCoverage = JSON.stringify(this.coverage);
    const { maintenance } = this.options;
    if (maintenance) {
      this.maintenanceSeen = maintenance.pending();
      this.sentMaintenance = JSON.stringify(this.readMaintenance());
      // A window that starts or stops covering changes its devices' `maintenance` column.
      this.unsubscribe.push(
        maintenance.onChange(({ started, ended }) => {
          for (const window of [...started, ...ended]) for (const device of maintenance.devicesIn(window)) this.dirtyDevices.add(device.id);
        }),
      );
    }

    this.unsubscribe.push(
      bus.on('ingested', (message) => this.ingested(message)),
      bus.on('rejected', (message) => void this.dirtyDevices.add(message.device.id)),
      bus.on('availability', (change) => this.availability(change)),
      bus.on('incident', (incident) => this.incident(incident)),
    );
    this.every(this.settings.batchMs, () => this.flush());
    this.every(this.options.counterMs ?? 1000, () => void this.sampleCounters());
    this.every(this.options.coverageMs ?? 5000, () => void (this.coverageDue = true));
    this.every(this.options.pingMs ?? 30_000, () => this.ping());
    this.every(this.options.recheckMs ?? 60_000, () => this.recheck());
    void this.sampleCounters();
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    for (const client of this.clients) client.ws.close(CLOSE_CODES.goingAway, 'gateway stopping');
    const closing = [...this.clients].map((client) => new Promise<void>((resolve) => {
      if (client.ws.readyState === client.ws.CLOSED) return resolve();
      const timer = setTimeout(() => {
        client.ws.terminate();
        resolve();
      }, 1000);
      client.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    }));
    await Promise.all(closing);
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  stats(): { epoch: string; seq: number; clients: number; dropped: number; ring: number } {
    return { epoch: this.epoch, seq: this.seq, clients: this.clients.size, dropped: this.dropped, ring: Math.max(0, ...[...this.rings.values()].map((r) => r.size)) };
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'live feed socket error before upgrade'));
    let principal: Principal | undefined;
    const credentials = requestView(request);
    try {
      principal = this.options.auth.resolve(credentials);
    } catch (err) {
      this.log.warn({ err }, 'live feed: principal could not be resolved');
      return refuse(socket, 401, 'GW_UNAUTHORIZED', 'authentication required');
    }
    if (!principal) return refuse(socket, 401, 'GW_UNAUTHORIZED', 'authentication required: log in, or send "Authorization: Bearer <token>"');
    const roles = this.options.roles ?? LIVE_ROLES;
    const audience = audienceFor(principal.role);
    if (!roles.includes(principal.role) || !audience) return refuse(socket, 403, 'GW_FORBIDDEN', `role ${principal.role} may not watch the live feed`);
    if (!this.originAllowed(request)) {
      // Cross-site WebSocket hijacking: a page on another site would ride the operator's cookie.
      this.log.warn({ origin: request.headers.origin, host: request.headers.host }, 'live feed refused a foreign origin');
      return refuse(socket, 403, 'GW_FORBIDDEN_ORIGIN', 'this origin may not open the live feed');
    }
    if (this.clients.size >= (this.options.maxClients ?? 100)) return refuse(socket, 503, 'GW_LIVE_FULL', 'too many live pages; try again later');
    const resumeFrom = parseResume(request.url);
    const who = principal;
    this.wss.handleUpgrade(request, socket, head, (ws) => this.attach(ws, who, audience, credentials, resumeFrom));
  }

  private attach(ws: WebSocket, principal: Principal, audience: Audience, credentials: FastifyRequest, resumeFrom: { epoch: string; since: number } | undefined): void {
    const client: Client = { ws, principal, audience, credentials, alive: true };
    ws.on('pong', () => void (client.alive = true));
    ws.on('error', (err) => this.log.debug({ err: err.message, who: principal.name }, 'live feed socket error'));
    ws.on('close', () => {
      this.clients.delete(client);
      this.log.debug({ who: principal.name, clients: this.clients.size }, 'live page left');
    });
    // Synchronous from here until the client joins the set: no batch can be flushed in between, so none is missed or doubled.
    const missed = resumeFrom && resumeFrom.epoch === this.epoch ? this.rings.get(audience)?.after(resumeFrom.since, this.seq) : undefined;
    if (resumeFrom && missed) {
      const hello: ResumeMessage = { type: 'resume', epoch: this.epoch, since: resumeFrom.since, seq: this.seq };
      ws.send(JSON.stringify(hello));
      for (const frame of missed) ws.send(frame, TEXT);
    } else {
      ws.send(this.snapshotFrame(audience), TEXT);
    }
    this.clients.add(client);
    this.log.info({ who: principal.name, role: principal.role, audience: audience.name, resumed: missed !== undefined, missed: missed?.length ?? 0, clients: this.clients.size }, 'live page connected');
    this.checkBackpressure(client);
  }

  private originAllowed(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return true; // not a browser: it holds no ambient cookie to abuse
    if (this.options.allowedOrigins?.includes(origin)) return true;
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return false;
    }
    const forwarded = request.headers['x-forwarded-host'];
    const hosts = [request.headers.host, ...(typeof forwarded === 'string' ? forwarded.split(',').map((h) => h.trim()) : [])];
    return hosts.includes(originHost);
  }

  // ---- bus → dirty sets ----------------------------------------------------

  private ingested(message: IngestedMessage): void {
    const { device } = message;
    this.dirtyDevices.add(device.id);
    for (const reading of message.readings) {
      const active = reading.fields.active !== false;
      if (device.kind === 'fire' && reading.event === 'alarm' && active) this.tick('fire-alarm', device, message.receivedAt);
      else if (device.kind === 'camera' && reading.event === 'video_loss' && active) this.tick('camera-dark', device, message.receivedAt);
    }
  }

  private availability(change: AvailabilityChange): void {
    this.dirtyDevices.add(change.device.id);
    if (change.device.kind === 'camera' && !change.online) this.tick('camera-dark', change.device, change.at);
  }

  private incident(incident: Incident): void {
    this.dirtyIncidents.set(incident.id, incident);
    const before = this.openIncidents.get(incident.id);
    let type: TickerType | undefined;
    if (CLOSED_STATUSES.has(incident.status)) {
      if (before) type = 'incident-closed';
      this.openIncidents.delete(incident.id);
    } else {
      if (!before) type = 'incident-opened';
      else if (SEVERITY_RANK[incident.severity] < SEVERITY_RANK[before.severity]) type = 'incident-raised';
      else if (incident.updates > before.updates) type = 'incident-repeated';
      this.openIncidents.set(incident.id, { severity: incident.severity, updates: incident.updates });
    }
    if (type) {
      this.pushTicker({
        id: 0,
        at: incident.updatedAt,
        type,
        severity: incident.severity,
        kind: incident.kind,
        deviceId: incident.deviceId,
        incidentId: incident.id,
        ruleId: incident.ruleId,
        key: incident.key,
        place: incident.place,
        zone: incident.zone,
        title: incident.title,
        status: incident.status,
      });
    }
  }

  private tick(type: TickerType, device: Device, at: number): void {
    const where = this.options.response.locator.locate(device);
    this.pushTicker({ id: 0, at, type, kind: device.kind, deviceId: device.id, place: where.place ?? null, zone: where.zone ?? null });
  }

  private pushTicker(entry: TickerEntry): void {
    if (this.pendingTicker.length >= (this.options.tickerPerBatch ?? 20)) {
      this.tickerDropped += 1;
      return;
    }
    entry.id = ++this.tickerId;
    this.pendingTicker.push(entry);
  }

  // ---- batches ---------------------------------------------------------------

  private flush(): void {
    try {
      this.collectAndSend();
    } catch (err) {
      this.log.error({ err }, 'live batch failed');
    }
  }

  private collectAndSend(): void {
    const { registry, response } = this.options;
    const now = this.now();
    if (registry.count() !== this.knownDevices.size || now - this.lastReconcile >= (this.options.reconcileMs ?? 60_000)) this.reconcile();

    const batch: BatchMessage = { type: 'batch', epoch: this.epoch, seq: this.seq + 1, at: now };
    let changed = false;

    // Planned, started, ended (early or on time): the list is short, so it travels whole.
    const pending = this.options.maintenance?.pending();
    if (pending && pending !== this.maintenanceSeen) {
      this.maintenanceSeen = pending;
      const list = this.readMaintenance();
      const encoded = JSON.stringify(list);
      if (encoded !== this.sentMaintenance) {
        this.sentMaintenance = encoded;
        batch.maintenance = list;
        changed = true;
      }
    }

    if (this.dirtyDevices.size > 0) {
      const devices = [];
      let onlineChanged = false;
      for (const id of this.dirtyDevices) {
        const device = registry.get(id);
        if (!device) continue;
        devices.push(wireDevice(device, this.coveredBy(device)));
        const known = this.knownDevices.get(id);
        if (known && known.online !== device.online) {
          known.online = device.online;
          this.online[known.kind] = (this.online[known.kind] ?? 0) + (device.online ? 1 : -1);
          onlineChanged = true;
        }
      }
      if (onlineChanged) this.countersChanged();
      this.dirtyDevices.clear();
      if (devices.length > 0) {
        batch.devices = devices;
        changed = true;
      }
    }
    const removedKinds = new Map(this.removedDevices);
    if (this.removedDevices.size > 0) {
      batch.devicesRemoved = [...removedKinds.keys()];
      this.removedDevices.clear();
      changed = true;
    }

    if (this.dirtyIncidents.size > 0) {
      const orders = this.activeOrders();
      batch.incidents = [...this.dirtyIncidents.values()].map((incident) => ({ ...incident, orders: CLOSED_STATUSES.has(incident.status) ? [] : (orders.get(incident.id) ?? []) }));
      this.dirtyIncidents.clear();
      changed = true;
    }

    const teams: WireTeam[] = [];
    const present = new Set<string>();
    for (const view of response.teams.list()) {
      present.add(view.id);
      const team = wireTeam(view);
      const encoded = JSON.stringify(team);
      if (this.sentTeams.get(team.id) !== encoded) {
        this.sentTeams.set(team.id, encoded);
        teams.push(team);
      }
    }
    const teamsRemoved = [...this.sentTeams.keys()].filter((id) => !present.has(id));
    for (const id of teamsRemoved) this.sentTeams.delete(id);
    if (teams.length > 0) batch.teams = teams;
    if (teamsRemoved.length > 0) batch.teamsRemoved = teamsRemoved;
    changed ||= teams.length > 0 || teamsRemoved.length > 0;

    if (this.countersDue) {
      this.countersDue = false;
      const encoded = JSON.stringify(this.counters);
      if (encoded !== this.sentCounters) {
        this.sentCounters = encoded;
        batch.counters = this.counters;
        changed = true;
      }
    }

    if (this.coverageDue) {
      this.coverageDue = false;
      const coverage = this.readCoverage();
      const encoded = JSON.stringify(coverage);
      if (encoded !== this.sentCoverage) {
        this.coverage = coverage;
        this.sentCoverage = encoded;
        batch.coverage = coverage;
        changed = true;
      }
    }

    if (response.currentSite !== this.site) {
      this.site = response.currentSite;
      batch.siteChanged = true;
      this.coverageDue = true;
      changed = true;
    }

    if (this.pendingTicker.length > 0) {
      batch.ticker = this.pendingTicker;
      this.ticker.push(...this.pendingTicker);
      const kept = this.options.tickerKept ?? 50;
      if (this.ticker.length > kept) this.ticker.splice(0, this.ticker.length - kept);
      this.pendingTicker = [];
      changed = true;
    }
    if (this.tickerDropped > 0) {
      batch.tickerDropped = this.tickerDropped;
      this.tickerDropped = 0;
      changed = true;
    }

    if (!changed) return;
    this.seq = batch.seq;
    // Once per audience, even when nothing is left for it: a page takes a gap in the sequence for lost data.
    for (const [audience, ring] of this.rings) {
      const frame = Buffer.from(JSON.stringify(narrowBatch(batch, audience, removedKinds)));
      ring.push(batch.seq, frame);
      this.broadcast(audience, frame);
    }
  }

  private broadcast(audience: Audience, frame: Buffer): void {
    for (const client of this.clients) {
      if (client.audience !== audience || client.ws.readyState !== client.ws.OPEN) continue;
      client.ws.send(frame, TEXT);
      this.checkBackpressure(client);
    }
  }

  /** A page that cannot keep up is dropped rather than buffered without bound; it resumes or gets a fresh snapshot. */
  private checkBackpressure(client: Client): void {
    const limit = this.options.maxBufferedBytes ?? 8 * 1024 * 1024;
    if (client.ws.bufferedAmount <= limit) return;
    this.dropped += 1;
    this.clients.delete(client);
    this.log.warn({ who: client.principal.name, bufferedBytes: client.ws.bufferedAmount, limit }, 'live page cannot keep up: dropped');
    client.ws.terminate();
  }

  private ping(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.clients.delete(client);
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }

  /**
   * Asks the resolver again for every page. A session resolver slides the
   * session's idle expiry when asked, so an open wall keeps its session alive
   * up to the session's absolute limit, and no further.
   */
  private recheck(): void {
    const roles = this.options.roles ?? LIVE_ROLES;
    for (const client of this.clients) {
      let principal: Principal | undefined;
      try {
        principal = this.options.auth.resolve(client.credentials);
      } catch {
        principal = undefined;
      }
      // A person whose role changed to another audience (an operator made brigade) must not keep the old picture.
      if (principal && roles.includes(principal.role) && audienceFor(principal.role) === client.audience) continue;
      this.clients.delete(client);
      this.log.info({ who: client.principal.name, role: principal?.role }, 'live page closed: its session ended or its role changed');
      client.ws.close(CLOSE_CODES.sessionEnded, 'session ended');
    }
  }

  private snapshotFrame(audience: Audience): Buffer {
    if (this.snapshotCache?.seq !== this.seq) this.snapshotCache = { seq: this.seq, message: this.snapshotMessage(), frames: new Map() };
    const cache = this.snapshotCache;
    let frame = cache.frames.get(audience);
    if (!frame) {
      frame = Buffer.from(JSON.stringify(narrowSnapshot(cache.message, audience)));
      cache.frames.set(audience, frame);
    }
    return frame;
  }

  private snapshotMessage(): SnapshotMessage {
    const { registry, response } = this.options;
    const orders = this.activeOrders();
    const incidents: WireIncident[] = response.incidents.list({ open: true, limit: 1000 }).map((incident) => ({ ...incident, orders: orders.get(incident.id) ?? [] }));
    const devices = registry.list();
    // Counted from the very list sent, so the totals agree with it even before the next reconcile.
    const { total, online } = countDevices(devices);
    const snapshot: SnapshotMessage = {
      type: 'snapshot',
      epoch: this.epoch,
      seq: this.seq,
      at: this.now(),
      settings: this.settings,
      deviceFields: DEVICE_FIELDS,
      devices: devices.map((device) => wireDevice(device, this.coveredBy(device))),
      incidents,
      teams: response.teams.list().map(wireTeam),
      counters: { ...this.counters, total, online, clients: this.clients.size + 1 },
      coverage: this.coverage,
      // A copy: the cache outlives this call, and the ticker grows.
      ticker: [...this.ticker],
      maintenance: this.readMaintenance(),
    };
    return snapshot;
  }

  /** The id of the active window covering the device, as the rules see it. */
  private coveredBy(device: Device): number | null {
    return this.options.maintenance?.covers(device)?.id ?? null;
  }

  private readMaintenance(): WireMaintenance[] {
    const { maintenance, registry } = this.options;
    if (!maintenance) return [];
    const active = new Set(maintenance.activeWindows().map((w) => w.id));
    return maintenance.pending().map((w) => wireMaintenance(w, active.has(w.id), w.scope === 'device' && w.target !== null ? registry.get(w.target)?.kind : undefined));
  }

  private activeOrders(): Map<number, WireOrder[]> {
    const byIncident = new Map<number, WireOrder[]>();
    for (const order of this.options.response.orders.active()) {
      let list = byIncident.get(order.incidentId);
      if (!list) byIncident.set(order.incidentId, (list = []));
      list.push(wireOrder(order));
    }
    return byIncident;
  }

  private reconcile(): void {
    this.lastReconcile = this.now();
    const devices = this.options.registry.list();
    const known = new Map<string, { kind: DeviceKind; online: boolean }>();
    for (const device of devices) {
      known.set(device.id, { kind: device.kind, online: device.online });
      // New, or changed without a bus event (the registry marks everything offline at start-up).
      if (this.knownDevices.get(device.id)?.online !== device.online) this.dirtyDevices.add(device.id);
    }
    for (const [id, was] of this.knownDevices) if (!known.has(id)) this.removedDevices.set(id, was.kind);
    this.knownDevices = known;
    const { total, online } = countDevices(devices);
    if (JSON.stringify([total, online]) !== JSON.stringify([this.totals, this.online])) {
      this.totals = total;
      this.online = online;
      this.countersChanged();
    }
  }

  private countersChanged(): void {
    this.counters = { ...this.counters, total: { ...this.totals }, online: { ...this.online } };
    this.countersDue = true;
  }

  private readCoverage(): WireCoverage | null {
    try {
      const coverage = this.options.response.coverage();
      if (!coverage) return null;
      return {
        targetSeconds: coverage.targetSeconds,
        coveredShare: Math.round(coverage.coveredShare * 1000) / 1000,
        uncovered: coverage.uncovered.features.map((f) => ({ type: 'Feature', geometry: f.geometry, properties: { roadId: f.properties.roadId, lengthM: Math.round(f.properties.lengthM) } })),
      };
    } catch (err) {
      this.log.error({ err }, 'coverage for the wall failed');
      return this.coverage;
    }
  }

  private async sampleCounters(): Promise<void> {
    if (this.countersRunning) return;
    this.countersRunning = true;
    try {
      const { metrics } = this.options;
      const [messagesIn, rejected] = await Promise.all([metrics.messagesIn.get(), metrics.messagesRejected.get()]);
      const messages = messagesIn.values.reduce((sum, v) => sum + v.value, 0);
      const rejects = rejected.values.reduce((sum, v) => sum + v.value, 0);
      const at = this.now();
      const last = this.lastCounterSample;
      const seconds = last ? Math.max(0.001, (at - last.at) / 1000) : 1;
      this.lastCounterSample = { at, messages, rejects };
      let outboxDepth = this.counters.outboxDepth;
      try {
        outboxDepth = this.options.outboxDepth();
      } catch (err) {
        this.log.debug({ err }, 'outbox depth not available');
      }
      this.counters = {
        online: { ...this.online },
        total: { ...this.totals },
        messagesPerSecond: last ? Math.round(((messages - last.messages) / seconds) * 10) / 10 : 0,
        rejects,
        rejectsPerSecond: last ? Math.round(((rejects - last.rejects) / seconds) * 10) / 10 : 0,
        outboxDepth,
        clients: this.clients.size,
      };
      this.countersDue = true;
    } catch (err) {
      // Near the open-file limit metric collection can throw; the wall goes on with the last counters.
      this.log.warn({ err }, 'live counters not sampled');
    } finally {
      this.countersRunning = false;
    }
  }

  private every(ms: number, work: () => void): void {
    const timer = setInterval(work, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

/**
 * `PrincipalResolver` is typed on Fastify's request, but an upgrade never
 * becomes one. The resolvers read the headers (bearer token, session cookie)
 * and the method (the session's CSRF check passes GET), so this view gives
 * them exactly those, plus the raw request.
 */
function requestView(request: IncomingMessage): FastifyRequest {
  const view = {
    headers: request.headers,
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    ip: request.socket.remoteAddress ?? '',
    raw: request,
  };
  return view as unknown as FastifyRequest;
}

function countDevices(devices: readonly Device[]): { total: Partial<Record<DeviceKind, number>>; online: Partial<Record<DeviceKind, number>> } {
  const total: Partial<Record<DeviceKind, number>> = {};
  const online: Partial<Record<DeviceKind, number>> = {};
  for (const device of devices) {
    total[device.kind] = (total[device.kind] ?? 0) + 1;
    if (device.online) online[device.kind] = (online[device.kind] ?? 0) + 1;
  }
  return { total, online };
}

function parseResume(url: string | undefined): { epoch: string; since: number } | undefined {
  const query = new URL(url ?? '/', 'http://feed.invalid').searchParams;
  const epoch = query.get('epoch');
  const since = Number(query.get('since'));
  if (!epoch || query.get('since') === null || !Number.isSafeInteger(since) || since < 0) return undefined;
  return { epoch, since };
}

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ statusCode: status, code, error: STATUS_CODES[status] ?? 'Error', message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
