/**
 * Simulated village time. The village's day (swipes in the morning, quiet at
 * night, how fast a team drives, how long a crew takes to accept) runs
 * `speed` times faster than the wall clock; protocol time (heartbeat
 * periods, device timestamps `ts`) stays real, because the gateway judges
 * availability and timestamps by its own clock.
 */

/** China Standard Time, no daylight saving. */
const CST_OFFSET_MS = 8 * 3_600_000;

export interface SimClockOptions {
  speed?: number;
  /** Village time at start, epoch ms; default: now. */
  startSimMs?: number;
  /** Start at this hour of today's village day (CST) instead, e.g. 2.5 for 02:30. */
  startHour?: number;
  now?: () => number;
}

export class SimClock {
  readonly speed: number;
  private readonly realStart: number;
  private readonly simStart: number;
  readonly realNow: () => number;

  constructor(options: SimClockOptions = {}) {
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0 && this.speed <= 10_000)) throw new RangeError(`speed must be > 0 and ≤ 10000, got ${this.speed}`);
    this.realNow = options.now ?? Date.now;
    this.realStart = this.realNow();
    let simStart = options.startSimMs ?? this.realStart;
    if (options.startHour !== undefined) {
      if (!(options.startHour >= 0 && options.startHour < 24)) throw new RangeError(`startHour must be 0 ≤ h < 24, got ${options.startHour}`);
      const dayStart = Math.floor((simStart + CST_OFFSET_MS) / 86_400_000) * 86_400_000 - CST_OFFSET_MS;
      simStart = dayStart + options.startHour * 3_600_000;
    }
    this.simStart = simStart;
  }

  /** Village time now, epoch ms. */
  simNow(): number {
    return this.simAt(this.realNow());
  }

  simAt(realMs: number): number {
    return this.simStart + (realMs - this.realStart) * this.speed;
  }

  realAt(simMs: number): number {
    return this.realStart + (simMs - this.simStart) / this.speed;
  }

  /** Wall-clock ms for a span of village time. */
  realDuration(simMs: number): number {
    return simMs / this.speed;
  }

  /** Hour of the village day, 0 ≤ h < 24 (CST). */
  hourAt(simMs: number): number {
    return (((simMs + CST_OFFSET_MS) % 86_400_000) + 86_400_000) % 86_400_000 / 3_600_000;
  }

  format(simMs: number): string {
    return formatVillageTime(simMs);
  }
}

/** `02:14:05`, village time of day (CST). */
export function formatVillageTime(simMs: number): string {
  const seconds = Math.floor((((simMs + CST_OFFSET_MS) % 86_400_000) + 86_400_000) % 86_400_000 / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}
