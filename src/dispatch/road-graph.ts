import { haversineM, LocalProjection } from '../site/geo.js';
import type { LonLat, Road } from '../site/site.js';
import { JunctionMerger } from './junctions.js';
import { SegmentGrid } from './segment-grid.js';

/** Bits of `segTravel`: which ways a segment may be driven. */
export const ALONG = 1;
export const AGAINST = 2;

export interface RoadGraphOptions {
  /** Vertices of different roads closer than this are one junction. */
  junctionToleranceM?: number;
}

/** A position put on the road network. */
export interface RoadSnap {
  segment: number;
  /** 0 at the segment's `from` node, 1 at its `to` node. */
  fraction: number;
  /** How far the position is from the road; covered at a slow off-road speed. */
  offRoadM: number;
  /** The point on the road. */
  lon: number;
  lat: number;
}

/**
 * The site's roads as a directed graph in compressed sparse rows. A node is a
 * line vertex (merged where roads share one); a segment is the straight piece
 * between two consecutive vertices of one line, so "a point on a road" is
 * just (segment, fraction). Each segment is stored once with the ways it may
 * be driven; the CSR arrays hold one arc per allowed way, outgoing (`out*`,
 * for teams driving out) and incoming (`in*`, for searching back from an
 * incident).
 */
export class RoadGraph {
  readonly nodeCount: number;
  readonly segmentCount: number;
  readonly nodeLon: Float64Array;
  readonly nodeLat: Float64Array;
  readonly nodeX: Float64Array;
  readonly nodeY: Float64Array;
  readonly segFrom: Int32Array;
  readonly segTo: Int32Array;
  readonly segLengthM: Float64Array;
  /** Time to drive the whole segment, either way it is allowed. */
  readonly segSeconds: Float64Array;
  readonly segTravel: Uint8Array;
  /** Index into `roads`. */
  readonly segRoad: Int32Array;
  /** Segments of one line are numbered consecutively; equal `segLine` means the next segment continues this one. */
  readonly segLine: Int32Array;
  readonly outStart: Int32Array;
  readonly outNode: Int32Array;
  readonly outSegment: Int32Array;
  readonly outSeconds: Float64Array;
  readonly inStart: Int32Array;
  readonly inNode: Int32Array;
  readonly inSegment: Int32Array;
  readonly inSeconds: Float64Array;
  private readonly grid: SegmentGrid;

  constructor(
    readonly roads: readonly Road[],
    readonly projection: LocalProjection,
    nodes: JunctionMerger,
    segments: SegmentLists,
  ) {
    this.nodeCount = nodes.count;
    this.segmentCount = segments.from.length;
    this.nodeLon = Float64Array.from(nodes.lon);
    this.nodeLat = Float64Array.from(nodes.lat);
    this.nodeX = Float64Array.from(nodes.x);
    this.nodeY = Float64Array.from(nodes.y);
    this.segFrom = Int32Array.from(segments.from);
    this.segTo = Int32Array.from(segments.to);
    this.segLengthM = Float64Array.from(segments.lengthM);
    this.segSeconds = Float64Array.from(segments.seconds);
    this.segTravel = Uint8Array.from(segments.travel);
    this.segRoad = Int32Array.from(segments.road);
    this.segLine = Int32Array.from(segments.line);
    const out = this.arcs(true);
    this.outStart = out.start;
    this.outNode = out.node;
    this.outSegment = out.segment;
    this.outSeconds = out.seconds;
    const incoming = this.arcs(false);
    this.inStart = incoming.start;
    this.inNode = incoming.node;
    this.inSegment = incoming.segment;
    this.inSeconds = incoming.seconds;
    this.grid = new SegmentGrid(this);
  }

  /** Nearest point on any road; `undefined` only when the site has no roads. */
  snap(lon: number, lat: number): RoadSnap | undefined {
    const hit = this.grid.nearest(this.projection.x(lon), this.projection.y(lat));
    if (!hit) return undefined;
    const [snappedLon, snappedLat] = this.pointAt(hit.segment, hit.fraction);
    return { segment: hit.segment, fraction: hit.fraction, offRoadM: hit.distanceM, lon: snappedLon, lat: snappedLat };
  }

  /**
   * Seconds to drive along one segment between two fractions, or Infinity
   * when that way is forbidden. Standing still is always allowed, which is
   * what lets a position exactly on a node leave by any of its roads.
   */
  secondsAlong(segment: number, fromFraction: number, toFraction: number): number {
    if (fromFraction === toFraction) return 0;
    const way = toFraction > fromFraction ? ALONG : AGAINST;
    if (((this.segTravel[segment] as number) & way) === 0) return Infinity;
    return Math.abs(toFraction - fromFraction) * (this.segSeconds[segment] as number);
  }

  /** Position at a fraction of a segment (linear in lon/lat, which the local projection keeps straight). */
  pointAt(segment: number, fraction: number): LonLat {
    const a = this.segFrom[segment] as number;
    const b = this.segTo[segment] as number;
    const aLon = this.nodeLon[a] as number;
    const aLat = this.nodeLat[a] as number;
    return [aLon + fraction * ((this.nodeLon[b] as number) - aLon), aLat + fraction * ((this.nodeLat[b] as number) - aLat)];
  }

  nodePosition(node: number): LonLat {
    return [this.nodeLon[node] as number, this.nodeLat[node] as number];
  }

  /** Builds one CSR direction: `outgoing` lists arcs leaving each node, otherwise arcs arriving at it. */
  private arcs(outgoing: boolean) {
    const start = new Int32Array(this.nodeCount + 1);
    const each = (visit: (owner: number, other: number, segment: number) => void) => {
      for (let s = 0; s < this.segmentCount; s++) {
        const a = this.segFrom[s] as number;
        const b = this.segTo[s] as number;
        const travel = this.segTravel[s] as number;
        if (travel & ALONG) outgoing ? visit(a, b, s) : visit(b, a, s);
        if (travel & AGAINST) outgoing ? visit(b, a, s) : visit(a, b, s);
      }
    };
    each((owner) => {
      start[owner + 1] = (start[owner + 1] as number) + 1;
    });
    for (let n = 0; n < this.nodeCount; n++) start[n + 1] = (start[n + 1] as number) + (start[n] as number);
    const arcCount = start[this.nodeCount] as number;
    const node = new Int32Array(arcCount);
    const segment = new Int32Array(arcCount);
    const seconds = new Float64Array(arcCount);
    const fill = start.slice(0, this.nodeCount);
    each((owner, other, s) => {
      const at = fill[owner] as number;
      node[at] = other;
      segment[at] = s;
      seconds[at] = this.segSeconds[s] as number;
      fill[owner] = at + 1;
    });
    return { start, node, segment, seconds };
  }
}

interface SegmentLists {
  from: number[];
  to: number[];
  lengthM: number[];
  seconds: number[];
  travel: number[];
  road: number[];
  line: number[];
}

const TRAVEL_BITS = { both: ALONG | AGAINST, forward: ALONG, backward: AGAINST } as const;

export function buildRoadGraph(roads: readonly Road[], options: RoadGraphOptions = {}): RoadGraph {
  const projection = LocalProjection.around(roads.flatMap((road) => road.lines.flat()));
  const nodes = new JunctionMerger(projection, options.junctionToleranceM ?? 0.5);
  const segments: SegmentLists = { from: [], to: [], lengthM: [], seconds: [], travel: [], road: [], line: [] };
  let line = 0;
  roads.forEach((road, roadIndex) => {
    const metresPerSecond = road.speedKmh / 3.6;
    for (const positions of road.lines) {
      let previous = -1;
      for (const [lon, lat] of positions) {
        const node = nodes.nodeAt(lon, lat);
        // Merged vertices can make a zero-length piece; it would only add a self-loop.
        if (previous >= 0 && node !== previous) {
          const lengthM = haversineM(nodes.lon[previous] as number, nodes.lat[previous] as number, nodes.lon[node] as number, nodes.lat[node] as number);
          segments.from.push(previous);
          segments.to.push(node);
          segments.lengthM.push(lengthM);
          segments.seconds.push(lengthM / metresPerSecond);
          segments.travel.push(TRAVEL_BITS[road.travel]);
          segments.road.push(roadIndex);
          segments.line.push(line);
        }
        previous = node;
      }
      line += 1;
    }
  });
  return new RoadGraph(roads, projection, nodes, segments);
}
