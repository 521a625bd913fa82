import { buildRoadGraph, type RoadGraph } from '../../src/dispatch/road-graph.js';
import type { PatrolTeam } from '../../src/dispatch/team-eligibility.js';
import { parseSite } from '../../src/site/parse-site.js';
import type { Road } from '../../src/site/site.js';

/** Hand-made networks are drawn in metres east (x) and north (y) of a village origin. */
const ORIGIN_LON = 113.93;
const ORIGIN_LAT = 22.54;
const METRES_PER_DEGREE_LAT = 111_195.08;
const METRES_PER_DEGREE_LON = METRES_PER_DEGREE_LAT * Math.cos((ORIGIN_LAT * Math.PI) / 180);

export function at(x: number, y: number): { lon: number; lat: number } {
  return { lon: ORIGIN_LON + x / METRES_PER_DEGREE_LON, lat: ORIGIN_LAT + y / METRES_PER_DEGREE_LAT };
}

export interface RoadSpec {
  id?: string;
  path: [number, number][];
  /** 36 km/h = 10 m/s keeps hand arithmetic easy. */
  speedKmh?: number;
  oneway?: boolean | 'yes' | '-1';
}

export function roadsOf(specs: readonly RoadSpec[]): Road[] {
  const parsed = parseSite({
    roads: {
      type: 'FeatureCollection',
      features: specs.map((spec, i) => ({
        type: 'Feature',
        id: spec.id ?? `road-${i}`,
        geometry: { type: 'LineString', coordinates: spec.path.map(([x, y]) => [at(x, y).lon, at(x, y).lat]) },
        properties: { speedKmh: spec.speedKmh ?? 36, ...(spec.oneway === undefined ? {} : { oneway: spec.oneway }) },
      })),
    },
  });
  if (!parsed.ok) throw new Error(`fixture roads do not validate: ${JSON.stringify(parsed.issues)}`);
  return parsed.site.roads;
}

export function graphOf(specs: readonly RoadSpec[]): RoadGraph {
  return buildRoadGraph(roadsOf(specs));
}

export const NOW = Date.UTC(2025, 0, 15, 3, 0, 0);

export function teamAt(id: string, x: number, y: number, extra: Partial<PatrolTeam> = {}): PatrolTeam {
  return { id, ...at(x, y), status: 'available', lastSeenAt: NOW - 10_000, ...extra };
}

/** Relative and absolute slack for comparing seconds computed along different code paths. */
export function near(actual: number, expected: number, relative = 1e-4, absolute = 1e-3): boolean {
  if (actual === expected) return true;
  return Math.abs(actual - expected) <= relative * Math.abs(expected) + absolute;
}
