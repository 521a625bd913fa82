import { tagNumberOf } from '../../devices/tagway/tag-id.js';
import type { VillagePlan } from '../village/plan.js';
import type { Random } from '../village/random.js';
import type { CameraSim } from './camera.js';
import type { DetectorSim } from './detector.js';
import type { LockSim } from './lock.js';
import { nextEventSim, RHYTHMS, type Rhythm } from './rhythm.js';
import type { Scheduler } from './scheduler.js';
import type { SimClock } from './sim-clock.js';
import type { StationSim } from './station.js';

/**
 * What happens in the village, as a handful of Poisson processes over the
 * whole fleet rather than a timer per device: each process draws its next
 * event from its daily rhythm, then picks the device it happens at. Routine
 * events scale with `activity`; the rare ones that open incidents (alarms,
 * blacklisted cards, stolen bikes, tampering) with `incidents` — 0 keeps a
 * test or a scenario free of surprises.
 */

export interface ActivityOptions {
  /** Multiplies routine events (swipes, tag reads, motion, tests). */
  activity: number;
  /** Multiplies rare, incident-making events; 0 turns them off. */
  incidents: number;
}

export interface ActivityDevices {
  cameras: readonly CameraSim[];
  locks: readonly LockSim[];
  detectors: readonly DetectorSim[];
  stations: ReadonlyMap<string, StationSim>;
}

interface Process {
  name: string;
  perDay: number;
  rhythm: Rhythm;
  happen(): void;
}

const MINUTE = 60_000;

export class VillageActivity {
  readonly counts = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly plan: VillagePlan,
    private readonly devices: ActivityDevices,
    private readonly scheduler: Scheduler,
    private readonly clock: SimClock,
    private readonly random: Random,
    private readonly options: ActivityOptions,
  ) {}

  start(): void {
    for (const process of this.processes()) {
      if (process.perDay > 0) this.scheduleNext(process, this.clock.simNow());
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private scheduleNext(process: Process, fromSim: number): void {
    const next = nextEventSim(this.random, fromSim, process.perDay, process.rhythm, (ms) => this.clock.hourAt(ms));
    if (!Number.isFinite(next.atSim)) return;
    this.scheduler.at(this.clock.realAt(next.atSim), () => {
      if (this.stopped) return;
      if (next.event) {
        this.counts.set(process.name, (this.counts.get(process.name) ?? 0) + 1);
        process.happen();
      }
      this.scheduleNext(process, next.atSim);
    });
  }

  private processes(): Process[] {
    const { cameras, locks, detectors, stations } = this.devices;
    const random = this.random;
    const { activity, incidents } = this.options;
    const online = <T extends { connection: { online: boolean } }>(list: readonly T[]): T | undefined => {
      // A few tries for an online device; an event at an offline one just does not happen.
      for (let k = 0; k < 4 && list.length > 0; k++) {
        const device = random.pick(list);
        if (device.connection.online) return device;
      }
      return undefined;
    };
    const tenantWeights = locks.map((lock) => lock.plan.tenants.length);
    const tenants = tenantWeights.reduce((sum, n) => sum + n, 0);
    const stationList = [...stations.values()];
    const tagNumbers = this.plan.tags.map((t) => tagNumberOf(t.tag) ?? 0);
    const stolen = new Set(this.plan.stolenTags.map((t) => t.tag));
    const everyday = this.plan.tags.map((t, i) => ({ number: tagNumbers[i]!, station: t.station, stolen: stolen.has(t.tag) })).filter((t) => !t.stolen);
    const stolenNumbers = this.plan.stolenTags.map((t) => tagNumberOf(t.tag) ?? 0);
    const strangers = this.plan.strangers;

    return [
      {
        name: 'swipe',
        // Two or three times a day per tenant: out in the morning, back for lunch or in the evening.
        perDay: tenants * 2.6 * activity,
        rhythm: RHYTHMS.swipes,
        happen: () => {
          const lock = locks[random.weighted(tenantWeights)];
          if (lock?.connection.online) void lock.tenantSwipe();
        },
      },
      {
        name: 'bike passes a reader',
        // A bike is seen by two or three readers per trip, about one trip a day.
        perDay: everyday.length * 2.5 * activity,
        rhythm: RHYTHMS.traffic,
        happen: () => {
          const bike = random.pick(everyday);
          // Mostly the reader near home; sometimes one across the village.
          const station = random.chance(0.85) ? stations.get(bike.station) : random.pick(stationList);
          station?.bikePasses(bike.number);
        },
      },
      { name: 'motion', perDay: cameras.length * 12 * activity, rhythm: RHYTHMS.activity, happen: () => void online(cameras)?.motion() },
      { name: 'detector test', perDay: (detectors.length / 30) * activity, rhythm: RHYTHMS.workHours, happen: () => void online(detectors)?.test() },
      // ---- rare: these open incidents ----
      {
        name: 'false fire alarm',
        perDay: (detectors.length / 4000) * incidents,
        rhythm: RHYTHMS.fire,
        happen: () => void online(detectors)?.alarm(undefined, random.range(2, 10) * MINUTE),
      },
      { name: 'detector fault', perDay: (detectors.length / 365) * incidents, rhythm: RHYTHMS.flat, happen: () => online(detectors)?.fault(random.range(30, 600) * MINUTE) },
      { name: 'detector battery low', perDay: (detectors.length / 1500) * incidents, rhythm: RHYTHMS.flat, happen: () => online(detectors)?.lowBattery() },
      { name: 'camera tamper', perDay: (cameras.length / 700) * incidents, rhythm: RHYTHMS.activity, happen: () => online(cameras)?.tampered(random.range(5, 120) * MINUTE) },
      { name: 'camera video loss', perDay: (cameras.length / 365) * incidents, rhythm: RHYTHMS.flat, happen: () => online(cameras)?.videoLossFor(random.range(0.2, 3) * MINUTE) },
      { name: 'camera power cut', perDay: (cameras.length / 730) * incidents, rhythm: RHYTHMS.flat, happen: () => online(cameras)?.outageFor(random.range(10, 90) * MINUTE) },
      {
        name: "stranger's card",
        perDay: (locks.length / 1000) * incidents,
        rhythm: RHYTHMS.swipes,
        happen: () => {
          const stranger = strangers.filter((s) => !s.blacklisted);
          if (stranger.length > 0) void online(locks)?.strangerSwipe(random.pick(stranger).card);
        },
      },
      {
        name: 'blacklisted card',
        perDay: (locks.length / 12_000) * incidents,
        rhythm: RHYTHMS.swipes,
        happen: () => {
          const listed = strangers.filter((s) => s.blacklisted);
          if (listed.length > 0) void online(locks)?.strangerSwipe(random.pick(listed).card);
        },
      },
      {
        name: 'stolen bike seen',
        perDay: (stolenNumbers.length / 200) * incidents,
        rhythm: RHYTHMS.traffic,
        happen: () => {
          if (stolenNumbers.length > 0) online(stationList)?.bikePasses(random.pick(stolenNumbers));
        },
      },
    ];
  }
}
