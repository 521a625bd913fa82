import type { LonLat } from '../site/site.js';
import { DEFAULT_OFF_ROAD_SPEED_KMH, type Position } from './eta.js';
import { AGAINST, ALONG, type RoadGraph } from './road-graph.js';
import { shortestTimes, type Seed } from './shortest-times.js';

export interface CoverageOptions {
  targetSeconds?: number;
  offRoadSpeedKmh?: number;
}

export interface UncoveredRoadProperties {
  roadId: string;
  roadName?: string;
  lengthM: number;
}

export interface UncoveredRoad {
  type: 'Feature';
  geometry: { type: 'LineString'; coordinates: LonLat[] };
  properties: UncoveredRoadProperties;
}

export interface RoadCoverage {
  targetSeconds: number;
  totalM: number;
  coveredM: number;
  /** coveredM / totalM, 0 for a site without roads. */
  coveredShare: number;
  /** Road pieces no team can reach within the target, for the wall map. */
  uncovered: { type: 'FeatureCollection'; features: UncoveredRoad[] };
}

/** Gaps shorter than this are floating-point dust, not holes in coverage. */
const MIN_GAP_M = 0.01;

/** A stretch of one segment, as fractions from its `from` node. */
type Stretch = [start: number, end: number];

/**
 * Which road a team can reach within the target: one search outward from
 * every team at once (forward arcs: teams drive out), then per segment the
 * stretch reachable from each end within the time left, so a segment can be
 * partly covered. Teams standing on a segment also cover it directly.
 * Pass only dispatchable teams (`dispatchableTeams`).
 */
export function roadCoverage(graph: RoadGraph, teams: readonly Position[], options: CoverageOptions = {}): RoadCoverage {
  const target = options.targetSeconds ?? 180;
  const offRoadMetresPerSecond = (options.offRoadSpeedKmh ?? DEFAULT_OFF_ROAD_SPEED_KMH) / 3.6;

  const seeds: Seed[] = [];
  /** Teams standing on a segment, with the seconds they have left once on the road. */
  const onSegment = new Map<number, { fraction: number; secondsLeft: number }[]>();
  for (const team of teams) {
    const snap = graph.snap(team.lon, team.lat);
    if (!snap) continue;
    const offRoadSeconds = snap.offRoadM / offRoadMetresPerSecond;
    if (offRoadSeconds >= target) continue;
    for (const [node, end] of [[graph.segFrom[snap.segment] as number, 0], [graph.segTo[snap.segment] as number, 1]] as const) {
      const seconds = offRoadSeconds + graph.secondsAlong(snap.segment, snap.fraction, end);
      if (seconds < target) seeds.push({ node, seconds });
    }
    const list = onSegment.get(snap.segment) ?? [];
    list.push({ fraction: snap.fraction, secondsLeft: target - offRoadSeconds });
    onSegment.set(snap.segment, list);
  }
  const reached = shortestTimes(graph, 'fromSeeds', seeds, { maxSeconds: target }).seconds;

  let totalM = 0;
  let uncoveredM = 0;
  const pieces = new UncoveredPieces(graph);
  for (let s = 0; s < graph.segmentCount; s++) {
    const length = graph.segLengthM[s] as number;
    const seconds = graph.segSeconds[s] as number;
    const travel = graph.segTravel[s] as number;
    totalM += length;
    // Reachable from the `from` node up to `along`, and from the `to` node back down to `against`.
    const fromLeft = target - (reached[graph.segFrom[s] as number] as number);
    const toLeft = target - (reached[graph.segTo[s] as number] as number);
    const along = travel & ALONG && fromLeft > 0 ? Math.min(1, fromLeft / seconds) : 0;
    const against = travel & AGAINST && toLeft > 0 ? Math.max(0, 1 - toLeft / seconds) : 1;
    const covered: Stretch[] = [[0, along], [against, 1]];
    for (const team of onSegment.get(s) ?? []) {
      const reach = team.secondsLeft / seconds;
      if (travel & ALONG) covered.push([team.fraction, Math.min(1, team.fraction + reach)]);
      if (travel & AGAINST) covered.push([Math.max(0, team.fraction - reach), team.fraction]);
    }
    for (const [start, end] of gapsBetween(covered)) {
      if ((end - start) * length < MIN_GAP_M) continue;
      uncoveredM += (end - start) * length;
      pieces.add(s, start, end);
    }
  }
  const coveredM = totalM - uncoveredM;
  return {
    targetSeconds: target,
    totalM,
    coveredM,
    coveredShare: totalM > 0 ? coveredM / totalM : 0,
    uncovered: { type: 'FeatureCollection', features: pieces.finish() },
  };
}

/** The parts of [0, 1] outside every stretch. */
function gapsBetween(covered: Stretch[]): Stretch[] {
  covered.sort((a, b) => a[0] - b[0]);
  const gaps: Stretch[] = [];
  let reachedUpTo = 0;
  for (const [start, end] of covered) {
    if (end <= start) continue;
    if (start > reachedUpTo) gaps.push([reachedUpTo, start]);
    reachedUpTo = Math.max(reachedUpTo, end);
  }
  if (reachedUpTo < 1) gaps.push([reachedUpTo, 1]);
  return gaps;
}

/**
 * Joins uncovered stretches of consecutive segments of one line into one
 * LineString, so an unreached lane is one feature on the map, not one per
 * vertex.
 */
class UncoveredPieces {
  private readonly features: UncoveredRoad[] = [];
  private open: { coordinates: LonLat[]; lengthM: number; segment: number; endsAtNode: boolean } | undefined;

  constructor(private readonly graph: RoadGraph) {}

  add(segment: number, start: number, end: number): void {
    const lengthM = (end - start) * (this.graph.segLengthM[segment] as number);
    const open = this.open;
    const continues =
      open !== undefined &&
      open.endsAtNode &&
      start === 0 &&
      open.segment === segment - 1 &&
      this.graph.segLine[segment] === this.graph.segLine[open.segment];
    if (open && continues) {
      open.coordinates.push(this.graph.pointAt(segment, end));
      open.lengthM += lengthM;
      open.segment = segment;
      open.endsAtNode = end === 1;
      return;
    }
    this.flush();
    this.open = {
      coordinates: [this.graph.pointAt(segment, start), this.graph.pointAt(segment, end)],
      lengthM,
      segment,
      endsAtNode: end === 1,
    };
  }

  finish(): UncoveredRoad[] {
    this.flush();
    return this.features;
  }

  private flush(): void {
    if (!this.open) return;
    const road = this.graph.roads[this.graph.segRoad[this.open.segment] as number];
    this.features.push({
      type: 'Feature',
      geometry: { type: 'LineString', coordinates: this.open.coordinates },
      properties: {
        roadId: road?.id ?? '',
        ...(road?.name === undefined ? {} : { roadName: road.name }),
        lengthM: Math.round(this.open.lengthM * 10) / 10,
      },
    });
    this.open = undefined;
  }
}
