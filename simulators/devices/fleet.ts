import type { RoadGraph } from '../../src/dispatch/road-graph.js';
import type { PlannedDevice, VillagePlan } from '../village/plan.js';
import { Random } from '../village/random.js';
import { requireLoopback } from '../args.js';
import { VillageActivity } from './activity.js';
import { CameraSim } from './camera.js';
import { ConnectGate } from './connect-gate.js';
import { DetectorSim } from './detector.js';
import { LockSim } from './lock.js';
import { roadSpeedOf } from './route-follower.js';
import { Scheduler } from './scheduler.js';
import { SimClock } from './sim-clock.js';
import type { FleetContext, SimDevice } from './sim-device.js';
import { StationSim } from './station.js';
import { emptyStats, type FleetStats } from './stats.js';
import { TrackerSim } from './tracker.js';

/**
 * Every simulated device of a village in one process: one MQTT connection
 * each (the connection count is part of what is being simulated), one
 * scheduler for all their timers, CONNECTs paced through one gate, and the
 * village's activity as a few fleet-wide processes.
 */

export interface FleetOptions {
  plan: VillagePlan;
  /** Device id → secret (secrets.json). Devices without one are left out. */
  secrets: Readonly<Record<string, string>>;
  mqttUrl: string;
  graph: RoadGraph;
  /** Village time runs this much faster than the wall clock (default 1). */
  speed?: number;
  /** Hour of the village day to start at (CST), e.g. 2 for a night; default: the real time of day. */
  startHour?: number;
  /** Multiplies routine events (default 1). */
  activity?: number;
  /** Multiplies rare, incident-making events (default 1; 0: none). */
  incidents?: number;
  /** Runtime randomness (default: derived from the plan's seed). */
  seed?: string | number;
  /** Only these devices (default: all). Scenarios run a few actors plus the teams. */
  only?: (device: PlannedDevice) => boolean;
  connect?: { maxPending?: number; perSecond?: number };
  patrolRadiusM?: number;
  declineProbability?: number;
}

export class Fleet {
  readonly scheduler: Scheduler;
  readonly clock: SimClock;
  readonly stats: FleetStats = emptyStats();
  readonly gate: ConnectGate;
  readonly cameras: CameraSim[] = [];
  readonly locks: LockSim[] = [];
  readonly detectors: DetectorSim[] = [];
  readonly stations = new Map<string, StationSim>();
  readonly trackers = new Map<string, TrackerSim>();
  readonly devices = new Map<string, SimDevice>();
  readonly activity: VillageActivity;
  /** Planned devices left out because secrets.json has no secret for them. */
  readonly missingSecrets: string[] = [];
  private started = false;

  constructor(readonly options: FleetOptions) {
    requireLoopback(options.mqttUrl, 'MQTT URL');
    this.scheduler = new Scheduler();
    this.clock = new SimClock({ speed: options.speed ?? 1, ...(options.startHour !== undefined ? { startHour: options.startHour } : {}) });
    const random = new Random(options.seed ?? `${options.plan.seed}/run`);
    this.gate = new ConnectGate(this.scheduler, options.connect?.maxPending ?? 200, options.connect?.perSecond ?? 500);
    const ctx: FleetContext = {
      scheduler: this.scheduler,
      clock: this.clock,
      random,
      site: options.plan.site,
      mqttUrl: options.mqttUrl,
      mqttTimer: this.scheduler.mqttTimer(),
      gate: this.gate,
      stats: this.stats,
    };
    const world = {
      graph: options.graph,
      speedOf: roadSpeedOf(options.graph),
      patrolRadiusM: options.patrolRadiusM ?? 700,
      declineProbability: options.declineProbability ?? 0,
    };
    for (const plan of options.plan.devices) {
      if (options.only && !options.only(plan)) continue;
      const secret = options.secrets[plan.id];
      if (!secret) {
        this.missingSecrets.push(plan.id);
        continue;
      }
      let device: SimDevice;
      switch (plan.kind) {
        case 'camera':
          device = pushed(this.cameras, new CameraSim(plan, ctx, secret));
          break;
        case 'lock':
          device = pushed(this.locks, new LockSim(plan, ctx, secret));
          break;
        case 'fire':
          device = pushed(this.detectors, new DetectorSim(plan, ctx, secret));
          break;
        case 'ebike-station': {
          const station = new StationSim(plan, ctx, secret);
          this.stations.set(plan.id, station);
          device = station;
          break;
        }
        case 'team': {
          const tracker = new TrackerSim(plan, ctx, secret, world);
          this.trackers.set(plan.teamId, tracker);
          device = tracker;
          break;
        }
      }
      this.devices.set(plan.id, device);
    }
    this.activity = new VillageActivity(
      options.plan,
      { cameras: this.cameras, locks: this.locks, detectors: this.detectors, stations: this.stations },
      this.scheduler,
      this.clock,
      random.fork('activity'),
      { activity: options.activity ?? 1, incidents: options.incidents ?? 1 },
    );
  }

  /** Powers every device on: teams first (dispatch needs them), then the rest in a shuffled order, paced by the gate. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.scheduler.start();
    const rest = [...this.devices.values()].filter((d) => d.plan.kind !== 'team');
    new Random(`${this.options.plan.seed}/startup`).shuffle(rest);
    for (const tracker of this.trackers.values()) tracker.start();
    for (const device of rest) device.start();
    this.activity.start();
  }

  /** Orderly stop: every device DISCONNECTs (bounded concurrency), then the scheduler stops. */
  async stop(): Promise<void> {
    this.activity.stop();
    const devices = [...this.devices.values()];
    for (let i = 0; i < devices.length; i += 500) await Promise.all(devices.slice(i, i + 500).map((d) => d.stop()));
    this.scheduler.stop();
  }

  get onlineCount(): number {
    let online = 0;
    for (const kind of Object.values(this.stats)) online += kind.online;
    return online;
  }

  /** Resolves when at least `share` of the devices are connected; false on timeout. */
  async waitOnline(share: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.onlineCount >= Math.ceil(this.devices.size * share)) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  device(id: string): SimDevice | undefined {
    return this.devices.get(id);
  }
}

function pushed<T>(list: T[], item: T): T {
  list.push(item);
  return item;
}
