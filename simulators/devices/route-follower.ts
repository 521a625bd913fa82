import { DEFAULT_OFF_ROAD_SPEED_KMH, etasToIncident } from '../../src/dispatch/eta.js';
import type { RoadGraph } from '../../src/dispatch/road-graph.js';
import { haversineM } from '../../src/site/geo.js';
import type { LonLat } from '../../src/site/site.js';

/**
 * Driving a route (a list of positions, as a dispatch order carries it) at
 * the speed of each road it runs on. Pure: the tracker asks "where am I
 * after t seconds of driving".
 */

export interface DriveLeg {
  from: LonLat;
  to: LonLat;
  lengthM: number;
  speedKmh: number;
  /** Seconds from the start of the drive to the start of this leg. */
  startSeconds: number;
  seconds: number;
}

export interface Drive {
  legs: DriveLeg[];
  totalSeconds: number;
  totalM: number;
  end: LonLat;
}

export interface DrivePosition {
  lon: number;
  lat: number;
  headingDeg: number;
  speedKmh: number;
  done: boolean;
}

export type SpeedOf = (from: LonLat, to: LonLat) => number;

/** `factor` < 1 drives slower than the road allows (a patrol looking around rather than responding). */
export function planDrive(route: readonly LonLat[], speedOf: SpeedOf, factor = 1): Drive {
  const legs: DriveLeg[] = [];
  let seconds = 0;
  let metres = 0;
  for (let i = 1; i < route.length; i++) {
    const from = route[i - 1]!;
    const to = route[i]!;
    const lengthM = haversineM(from[0], from[1], to[0], to[1]);
    if (lengthM < 0.01) continue;
    const speedKmh = Math.max(1, speedOf(from, to) * factor);
    const legSeconds = lengthM / (speedKmh / 3.6);
    legs.push({ from, to, lengthM, speedKmh, startSeconds: seconds, seconds: legSeconds });
    seconds += legSeconds;
    metres += lengthM;
  }
  const end = route[route.length - 1] ?? [0, 0];
  return { legs, totalSeconds: seconds, totalM: metres, end };
}

export function positionAt(drive: Drive, elapsedSeconds: number): DrivePosition {
  if (drive.legs.length === 0 || elapsedSeconds >= drive.totalSeconds) {
    const last = drive.legs[drive.legs.length - 1];
    return { lon: drive.end[0], lat: drive.end[1], headingDeg: last ? bearingDeg(last.from, last.to) : 0, speedKmh: 0, done: true };
  }
  // Binary search for the leg being driven: routes across the village have a few hundred legs.
  let lo = 0;
  let hi = drive.legs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (drive.legs[mid]!.startSeconds <= elapsedSeconds) lo = mid;
    else hi = mid - 1;
  }
  const leg = drive.legs[lo]!;
  const t = Math.min(1, Math.max(0, (elapsedSeconds - leg.startSeconds) / leg.seconds));
  return {
    lon: leg.from[0] + t * (leg.to[0] - leg.from[0]),
    lat: leg.from[1] + t * (leg.to[1] - leg.from[1]),
    headingDeg: bearingDeg(leg.from, leg.to),
    speedKmh: leg.speedKmh,
    done: false,
  };
}

/** Degrees clockwise from north, 0 ≤ h < 360. */
export function bearingDeg(from: LonLat, to: LonLat): number {
  const rad = Math.PI / 180;
  const y = Math.sin((to[0] - from[0]) * rad) * Math.cos(to[1] * rad);
  const x = Math.cos(from[1] * rad) * Math.sin(to[1] * rad) - Math.sin(from[1] * rad) * Math.cos(to[1] * rad) * Math.cos((to[0] - from[0]) * rad);
  return ((Math.atan2(y, x) / rad) % 360 + 360) % 360;
}

/**
 * The speed of the road a leg runs on: the road under the leg's middle. A
 * leg off the network (from a compound to the road, or to a factory's back
 * door) is walked or pushed, at the gateway's off-road speed.
 */
export function roadSpeedOf(graph: RoadGraph, offRoadKmh = DEFAULT_OFF_ROAD_SPEED_KMH): SpeedOf {
  return (from, to) => {
    const snap = graph.snap((from[0] + to[0]) / 2, (from[1] + to[1]) / 2);
    if (!snap || snap.offRoadM > 2) return offRoadKmh;
    return graph.roads[graph.segRoad[snap.segment] as number]?.speedKmh ?? offRoadKmh;
  };
}

/** The fastest road route between two positions (one-way streets respected), as the dispatcher would route it. */
export function routeBetween(graph: RoadGraph, from: LonLat, to: LonLat): LonLat[] {
  const eta = etasToIncident(graph, { lon: to[0], lat: to[1] }, [{ id: 'self', lon: from[0], lat: from[1] }]).teams[0];
  return eta && Number.isFinite(eta.etaSeconds) ? eta.route : [];
}
