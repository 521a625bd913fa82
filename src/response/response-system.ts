import type { Logger } from 'pino';
import { findModel } from '../../devices/index.js';
import type { Config } from '../config.js';
import { roadCoverage, type RoadCoverage } from '../dispatch/coverage.js';
import { DispatchOrders } from '../dispatch/dispatch-orders.js';
import { Dispatcher, type DispatchOrderMessage } from '../dispatch/dispatcher.js';
import { buildRoadGraph, type RoadGraph } from '../dispatch/road-graph.js';
import type { EventBus } from '../event-bus.js';
import type { GatewayEvents } from '../gateway.js';
import { IncidentManager } from '../incidents/incident-manager.js';
import { IncidentStore, type Incident } from '../incidents/incident-store.js';
import type { Maintenance } from '../maintenance/maintenance.js';
import type { Metrics } from '../metrics.js';
import type { DeviceRegistry } from '../registry/device-registry.js';
import { RuleEngine } from '../rules/engine.js';
import { DEFAULT_RULES_FILE, RulesFileWatcher } from '../rules/rules-file.js';
import { RuleRunner, type Enrichment } from '../rules/rule-runner.js';
import { DeviceLocator } from '../site/device-locator.js';
import type { Site } from '../site/site.js';
import { SiteWatcher } from '../site/site-watcher.js';
import type { SqliteDatabase } from '../store/sqlite.js';
import { TeamFeed } from '../teams/team-feed.js';
import { TeamRegistry } from '../teams/team-registry.js';

export interface ResponseSystemOptions {
  config: Config;
  db: SqliteDatabase;
  devices: DeviceRegistry;
  bus: EventBus<GatewayEvents>;
  enrichment?: Enrichment;
  sendCommand(deviceId: string, payload: unknown): Promise<void>;
  record(lines: string[]): void;
  metrics: Metrics;
  log: Logger;
}

/**
 * Incidents and dispatch, wired: site files (hot-reloaded) → road graph and
 * device locations; rules file (hot-reloaded) → rule engine; ingested events →
 * rule runner → incident manager → dispatcher → team trackers. Owns the
 * live-coverage cache the wall and /api/coverage read.
 */
export class ResponseSystem {
  readonly incidents: IncidentStore;
  readonly orders: DispatchOrders;
  readonly teams: TeamRegistry;
  readonly dispatcher: Dispatcher;
  readonly manager: IncidentManager;
  readonly locator = new DeviceLocator();
  private readonly engine: RuleEngine;
  private readonly runner: RuleRunner;
  private siteWatcher?: SiteWatcher;
  private rulesWatcher?: RulesFileWatcher;
  private graph?: RoadGraph;
  private site?: Site;
  private coverageCache?: { at: number; value: RoadCoverage };
  private readonly unsubscribe: (() => void)[] = [];
  private coverageTimer?: NodeJS.Timeout;
  private maintenance?: Maintenance;

  constructor(private readonly options: ResponseSystemOptions) {
    const { config, db, log } = options;
    this.incidents = new IncidentStore(db);
    this.orders = new DispatchOrders(db);
    this.teams = new TeamRegistry(db);
    this.dispatcher = new Dispatcher({
      incidents: this.incidents,
      orders: this.orders,
      teams: this.teams,
      graph: () => this.graph,
      sendToTeam: (teamId, message) => this.sendToTeam(teamId, message),
      notifyBrigade: (incident, reason) => this.notifyBrigade(incident, reason),
      record: options.record,
      changed: (incident) => options.bus.emit('incident', incident),
      policy: config.dispatch,
      log: log.child({ component: 'dispatcher' }),
    });
    this.manager = new IncidentManager({
      store: this.incidents,
      dispatcher: this.dispatcher,
      notifyBrigade: (incident, reason) => this.notifyBrigade(incident, reason),
      sendDeviceCommand: (deviceId, command, args) => {
        options.sendCommand(deviceId, { type: 'command', command, args, issuedAt: Date.now() }).catch((err: unknown) => log.warn({ err, deviceId }, 'device command not sent'));
      },
      changed: (incident) => options.bus.emit('incident', incident),
      log: log.child({ component: 'incidents' }),
    });
    this.engine = new RuleEngine({
      rules: [],
      clock: Date.now,
      heartbeatSeconds: (_kind, model) => findModel(model)?.heartbeatSeconds ?? 60,
    });
    this.runner = new RuleRunner({
      engine: this.engine,
      locator: this.locator,
      ...(options.enrichment ? { enrichment: options.enrichment } : {}),
      teams: new TeamFeed(this.teams, this.dispatcher, log.child({ component: 'teams' })),
      apply: (action) => this.manager.apply(action),
      underMaintenance: (deviceId, at, device) => {
        if (!this.maintenance) return false;
        const known = device ?? options.devices.get(deviceId);
        return known !== undefined && this.maintenance.covers(known, at) !== undefined;
      },
      log: log.child({ component: 'rules' }),
    });
  }

  /**
   * Planned maintenance holds back the offline and silence of the devices it
   * covers (rule-runner.ts); when a window ends, its devices are judged again.
   */
  useMaintenance(maintenance: Maintenance): () => void {
    this.maintenance = maintenance;
    return maintenance.onChange(({ started, ended }) => {
      const now = Date.now();
      for (const window of started) this.runner.maintenanceStarted(maintenance.devicesIn(window), now);
      for (const window of ended) this.runner.maintenanceEnded(maintenance.devicesIn(window), now);
      if (started.length + ended.length > 0) {
        this.options.log.info({ started: started.map((w) => w.id), ended: ended.map((w) => w.id) }, 'maintenance windows changed');
      }
    });
  }

  async start(): Promise<void> {
    const { config, log, bus } = this.options;
    if (config.siteDir) {
      this.siteWatcher = new SiteWatcher(config.siteDir, { log: log.child({ component: 'site' }) });
      this.useSite(await this.siteWatcher.start());
      this.siteWatcher.onChange((change) => {
        if (change.kind === 'reloaded') this.useSite(change.site);
      });
    } else {
      log.warn('SITE_DIR is not set: no road network, so incidents cannot be dispatched');
    }
    this.rulesWatcher = new RulesFileWatcher({
      path: config.rulesFile ?? DEFAULT_RULES_FILE,
      apply: (rules) => this.engine.replaceRules(rules),
      log: log.child({ component: 'rules' }),
    });
    await this.rulesWatcher.start();
    this.unsubscribe.push(
      bus.on('ingested', (message) => this.runner.ingested(message)),
      bus.on('availability', (change) => this.runner.availability(change)),
    );
    this.runner.start(() => this.dispatcher.tick());
    const watched = this.runner.watchKnownDevices(this.options.devices.list(), Date.now());
    log.info({ watched }, 'devices heard before the start are watched for silence');
    // The coverage metric is worth a hole noticed before an alarm falls into it: refresh it every 10 s.
    this.coverageTimer = setInterval(() => {
      try {
        this.coverage();
      } catch (err) {
        log.error({ err }, 'coverage recompute failed');
      }
    }, 10_000);
    this.coverageTimer.unref();
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.coverageTimer) clearInterval(this.coverageTimer);
    await this.runner.stop();
    this.rulesWatcher?.stop();
    await this.siteWatcher?.stop();
  }

  /** Settles when every rule action so far has been carried out. */
  idle(): Promise<unknown> {
    return this.runner.idle();
  }

  get roadGraph(): RoadGraph | undefined {
    return this.graph;
  }

  get currentSite(): Site | undefined {
    return this.site;
  }

  /** Live 3-minute coverage, recomputed at most once a second. */
  coverage(): RoadCoverage | undefined {
    if (!this.graph) return undefined;
    const now = Date.now();
    if (this.coverageCache && now - this.coverageCache.at < 1000) return this.coverageCache.value;
    const available = this.teams.patrolTeams().filter((t) => t.status === 'available' && now - t.lastSeenAt <= this.options.config.dispatch.staleAfterMs);
    const value = roadCoverage(this.graph, available, { targetSeconds: this.options.config.dispatch.targetSeconds });
    this.coverageCache = { at: now, value };
    this.options.metrics.coverageShare.set(value.coveredShare);
    return value;
  }

  private useSite(site: Site): void {
    this.site = site;
    this.graph = buildRoadGraph(site.roads);
    this.locator.useSite(site);
    this.coverageCache = undefined;
    this.options.log.info({ roads: site.roads.length, zones: site.zones.length, places: site.places.length }, 'site loaded');
  }

  private async sendToTeam(teamId: string, message: DispatchOrderMessage): Promise<void> {
    const team = this.teams.get(teamId);
    if (!team) throw new Error(`team ${teamId} is not registered`);
    await this.options.sendCommand(team.trackerDeviceId, message);
  }

  private notifyBrigade(incident: Incident, reason: string): void {
    const updated = this.incidents.annotate(incident.id, Date.now(), 'dispatcher', 'brigade notified', { brigadeNotified: true }, { reason });
    this.options.bus.emit('brigade', { incident: updated, reason });
    this.options.bus.emit('incident', updated);
  }
}
