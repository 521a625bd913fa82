import type { RoadGraph } from '../../src/dispatch/road-graph.js';
import { haversineM } from '../../src/site/geo.js';
import type { LonLat } from '../../src/site/site.js';
import type { TrackerPlan } from '../village/plan.js';
import { planDrive, positionAt, routeBetween, type Drive, type SpeedOf } from './route-follower.js';
import type { ScheduledTask } from './scheduler.js';
import { SimDevice, type FleetContext } from './sim-device.js';

/** What a team needs to know of the village to drive in it. */
export interface TeamWorld {
  graph: RoadGraph;
  speedOf: SpeedOf;
  /** Patrols stay within this distance of their base, so the teams stay spread over the village. */
  patrolRadiusM: number;
  /** Share of orders the crew declines (0 by default). */
  declineProbability: number;
}

/** The dispatch order, stand-down and closed messages the gateway sends on `cmd` (docs/mqtt.md). */
interface OrderMessage {
  type: 'dispatch' | 'stand-down' | 'closed';
  orderId: number;
  incident: { id: number; title?: string };
  route?: [number, number][];
  etaSeconds?: number;
}

export type TrackerMode = 'patrol' | 'paused' | 'reading' | 'responding' | 'on-scene';

export interface TrackerEvent {
  teamId: string;
  what: 'order' | 'accept' | 'decline' | 'arrived' | 'stand-down' | 'closed' | 'released';
  incidentId: number;
  at: number;
  detail?: string;
}

const PATROL_SPEED_FACTOR = 0.5;
/** The tracker reports at least this often standing still (TEAM_STALE_AFTER_MS is 120 s). */
const STATIONARY_REPORT_MS = 25_000;

/**
 * A patrol team's tracker (patrolink/t1) and the crew behind it. On patrol
 * it drives slowly between random spots near its base. A dispatch order is
 * read for 5–20 s (village time), accepted, then driven along the order's
 * route at each road's speed with a position every few seconds; at the end
 * it reports `arrived` and stays on scene until stood down or told (by the
 * team's phone) that the incident is closed.
 */
export class TrackerSim extends SimDevice<TrackerPlan> {
  private position: LonLat;
  private mode: TrackerMode = 'patrol';
  private drive: Drive | undefined;
  private driveStartSim = 0;
  private pauseUntilSim = 0;
  private order: OrderMessage | undefined;
  private moveTask: ScheduledTask | undefined;
  private lastReportReal = 0;
  private orderReceivedAt = 0;
  private readonly patrolNodes: number[];
  /** Recent answers and arrivals, for scenarios and tests. */
  readonly events: TrackerEvent[] = [];

  constructor(
    plan: TrackerPlan,
    ctx: FleetContext,
    secret: string,
    private readonly world: TeamWorld,
  ) {
    super(plan, ctx, secret);
    this.position = [plan.lon, plan.lat];
    const { graph } = world;
    this.patrolNodes = [];
    for (let n = 0; n < graph.nodeCount; n++) {
      if (haversineM(plan.lon, plan.lat, graph.nodeLon[n] as number, graph.nodeLat[n] as number) <= world.patrolRadiusM) this.patrolNodes.push(n);
    }
  }

  get teamId(): string {
    return this.plan.teamId;
  }

  get currentMode(): TrackerMode {
    return this.mode;
  }

  get currentIncident(): number | undefined {
    return this.order?.incident.id;
  }

  override start(): void {
    super.start();
    const every = Math.min(5000, Math.max(1000, 5000 / this.ctx.clock.speed));
    this.moveTask ??= this.ctx.scheduler.every(every, () => this.tick(), this.ctx.random.range(0, every));
  }

  override async stop(): Promise<void> {
    this.ctx.scheduler.cancel(this.moveTask);
    this.moveTask = undefined;
    await super.stop();
  }

  protected heartbeat(): Record<string, unknown> {
    return { battery: this.ctx.random.int(40, 100), rssi: this.ctx.random.int(-95, -65), uptime: this.uptimeSeconds(), fw: '1.9.0' };
  }

  protected override online(): void {
    super.online();
    this.report(0, 0, true);
    void this.sendEvent({ event: 'status', status: 'available' });
  }

  /**
   * The team's phone learnt the team has no incident any more (closed, or
   * the order moved on). `asOf` is when the phone asked: an answer from
   * before the current order arrived says nothing about it.
   */
  released(asOf: number): void {
    if (this.mode !== 'on-scene' && this.mode !== 'responding' && this.mode !== 'reading') return;
    if (asOf <= this.orderReceivedAt) return;
    this.note('released', this.order?.incident.id ?? 0);
    this.backToPatrol();
  }

  protected override command(payload: Buffer): void {
    let message: OrderMessage;
    try {
      message = JSON.parse(payload.toString('utf8')) as OrderMessage;
    } catch {
      return;
    }
    if (message.type === 'dispatch' && Array.isArray(message.route)) this.ordered(message);
    else if ((message.type === 'stand-down' || message.type === 'closed') && this.order && (message.orderId === this.order.orderId || message.incident?.id === this.order.incident.id)) {
      this.note(message.type, message.incident.id);
      this.backToPatrol();
    }
  }

  private ordered(order: OrderMessage): void {
    this.order = order;
    this.orderReceivedAt = Date.now();
    this.mode = 'reading';
    this.drive = undefined;
    this.note('order', order.incident.id, `eta ${order.etaSeconds ?? '?'} s`);
    const readingSim = this.ctx.random.range(5_000, 20_000);
    this.ctx.scheduler.after(this.ctx.clock.realDuration(readingSim), () => {
      if (this.order !== order) return;
      const incidentId = String(order.incident.id);
      if (this.ctx.random.chance(this.world.declineProbability)) {
        this.note('decline', order.incident.id);
        void this.sendEvent({ event: 'decline', incident_id: incidentId });
        this.backToPatrol();
        return;
      }
      this.note('accept', order.incident.id);
      void this.sendEvent({ event: 'accept', incident_id: incidentId });
      const route = order.route!.map(([lon, lat]) => [lon, lat] as LonLat);
      // The route starts at the (noisy) fix the gateway last had, then its snap onto the road; the team
      // is on that road already, a few metres on at most, and drives from where it is.
      this.drive = planDrive([this.position, ...(route.length > 1 ? route.slice(1) : route)], this.world.speedOf);
      this.driveStartSim = this.ctx.clock.simNow();
      this.mode = 'responding';
    });
  }

  private backToPatrol(): void {
    this.order = undefined;
    this.drive = undefined;
    this.mode = 'patrol';
    void this.sendEvent({ event: 'status', status: 'available' });
  }

  private tick(): void {
    const simNow = this.ctx.clock.simNow();
    switch (this.mode) {
      case 'patrol': {
        if (!this.drive) this.startPatrolDrive(simNow);
        const drive = this.drive;
        if (!drive) return this.reportIfStale();
        const at = positionAt(drive, (simNow - this.driveStartSim) / 1000);
        this.position = [at.lon, at.lat];
        if (at.done) {
          this.drive = undefined;
          this.mode = 'paused';
          this.pauseUntilSim = simNow + this.ctx.random.range(60_000, 240_000);
          return this.report(0, at.headingDeg, true);
        }
        return this.report(at.speedKmh, at.headingDeg, false);
      }
      case 'paused':
        if (simNow >= this.pauseUntilSim) this.mode = 'patrol';
        return this.reportIfStale();
      case 'responding': {
        const drive = this.drive!;
        const at = positionAt(drive, (simNow - this.driveStartSim) / 1000);
        this.position = [at.lon, at.lat];
        if (!at.done) return this.report(at.speedKmh, at.headingDeg, false);
        this.report(0, at.headingDeg, true, true);
        const incidentId = this.order!.incident.id;
        this.note('arrived', incidentId, `${Math.round(drive.totalM)} m in ${Math.round(drive.totalSeconds)} s`);
        void this.sendEvent({ event: 'arrived', incident_id: String(incidentId) });
        this.drive = undefined;
        this.mode = 'on-scene';
        return;
      }
      default:
        return this.reportIfStale();
    }
  }

  private startPatrolDrive(simNow: number): void {
    if (this.patrolNodes.length === 0) return;
    const { graph } = this.world;
    const node = this.ctx.random.pick(this.patrolNodes);
    const route = routeBetween(graph, this.position, [graph.nodeLon[node] as number, graph.nodeLat[node] as number]);
    if (route.length < 2) return;
    this.drive = planDrive(route, this.world.speedOf, PATROL_SPEED_FACTOR);
    this.driveStartSim = simNow;
  }

  private reportIfStale(): void {
    if (Date.now() - this.lastReportReal >= STATIONARY_REPORT_MS) this.report(0, 0, true);
  }

  /** A GPS fix; a few metres of noise except at the spot reported as the arrival. */
  private report(speedKmh: number, headingDeg: number, stationary: boolean, exact = false): void {
    if (!this.connection.online) return;
    this.lastReportReal = Date.now();
    const random = this.ctx.random;
    const noise = exact ? 0 : stationary ? 1.5e-5 : 2.5e-5;
    void this.sendEvent({
      event: 'position',
      lat: round6(this.position[1] + random.range(-noise, noise)),
      lon: round6(this.position[0] + random.range(-noise, noise)),
      speed_kmh: Math.round(speedKmh * 10) / 10,
      heading: Math.round(headingDeg) % 360,
      accuracy_m: random.int(3, 8),
    });
  }

  private note(what: TrackerEvent['what'], incidentId: number, detail?: string): void {
    this.events.push({ teamId: this.teamId, what, incidentId, at: Date.now(), ...(detail ? { detail } : {}) });
    if (this.events.length > 100) this.events.splice(0, this.events.length - 100);
  }
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
