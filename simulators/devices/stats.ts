import type { DeviceKind } from '../../devices/model.js';
import { DEVICE_KINDS } from '../../devices/model.js';

/** Counters per device kind, for the summary line and for tests. */
export interface KindStats {
  devices: number;
  online: number;
  connects: number;
  /** Connections lost or refused (each followed by a backoff). */
  disconnects: number;
  sent: number;
  acked: number;
  failed: number;
  /** Not sent: too many unacknowledged, or the device was offline. */
  dropped: number;
  /** The gateway's `reply` said so. */
  rejected: number;
  throttled: number;
  warnings: number;
  commands: number;
  lastProblem: string | undefined;
}

export type FleetStats = Record<DeviceKind, KindStats>;

export function emptyStats(): FleetStats {
  const stats = {} as FleetStats;
  for (const kind of DEVICE_KINDS) {
    stats[kind] = { devices: 0, online: 0, connects: 0, disconnects: 0, sent: 0, acked: 0, failed: 0, dropped: 0, rejected: 0, throttled: 0, warnings: 0, commands: 0, lastProblem: undefined };
  }
  return stats;
}

export function cloneStats(stats: FleetStats): FleetStats {
  const copy = {} as FleetStats;
  for (const kind of DEVICE_KINDS) copy[kind] = { ...stats[kind] };
  return copy;
}

/** `camera  online 3198/3200  acked 12,340 (+530/10 s)  failed 0  rejected 0  reconnects 2` */
export function summaryLines(now: FleetStats, before: FleetStats | undefined, seconds: number): string[] {
  const lines: string[] = [];
  for (const kind of DEVICE_KINDS) {
    const s = now[kind];
    if (s.devices === 0) continue;
    const delta = before ? s.acked - before[kind].acked : s.acked;
    const parts = [
      `${kind.padEnd(13)} online ${String(s.online).padStart(5)}/${String(s.devices).padEnd(5)}`,
      `acked ${String(s.acked).padStart(8)} (+${delta}/${Math.round(seconds)} s)`,
      `sent ${s.sent}`,
      `failed ${s.failed}`,
      `dropped ${s.dropped}`,
      `rejected ${s.rejected}`,
      `throttled ${s.throttled}`,
      `disconnects ${s.disconnects}`,
    ];
    if (s.commands > 0) parts.push(`commands ${s.commands}`);
    if (s.lastProblem && (s.rejected > 0 || s.disconnects > 0 || s.failed > 0)) parts.push(`last problem: ${s.lastProblem}`);
    lines.push(parts.join('  '));
  }
  return lines;
}
