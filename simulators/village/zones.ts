import type { Random } from './random.js';
import type { Point } from './roads.js';

/**
 * Grid-management zones (网格): a Voronoi partition of the village rectangle
 * around jittered seeds, so every point of the village lies in exactly one
 * zone and the borders are irregular. Numbered in reading order (north-west
 * first), as a township numbers its grids.
 */

export type ZoneUse = 'industrial' | 'residential' | 'mixed';

export interface ZoneCell {
  /** `grid-07` */
  id: string;
  /** `第7网格` */
  name: string;
  /** `Grid 7` */
  english: string;
  use: ZoneUse;
  seed: Point;
  /** Convex ring, counter-clockwise, not closed. */
  ring: Point[];
}

export interface ZoneOptions {
  count: number;
  widthM: number;
  heightM: number;
  /** How far the zones reach beyond the road grid, so places at its edge are inside one. */
  marginM: number;
  industrialShare: number;
}

export function generateZones(random: Random, options: ZoneOptions): ZoneCell[] {
  const halfW = options.widthM / 2 + options.marginM;
  const halfH = options.heightM / 2 + options.marginM;
  const bounds: Point[] = [
    { x: -halfW, y: -halfH },
    { x: halfW, y: -halfH },
    { x: halfW, y: halfH },
    { x: -halfW, y: halfH },
  ];
  const seeds = jitteredSeeds(random, options.count, options.widthM, options.heightM);
  // Reading order: north to south in bands, west to east within a band.
  const band = options.heightM / Math.max(1, Math.round(Math.sqrt((options.count * options.heightM) / options.widthM)));
  seeds.sort((p, q) => Math.floor((options.heightM / 2 - p.y) / band) - Math.floor((options.heightM / 2 - q.y) / band) || p.x - q.x);
  const industrial = new Set(random.shuffle(seeds.map((_, i) => i)).slice(0, Math.max(1, Math.round(seeds.length * options.industrialShare))));
  return seeds.map((seed, i) => {
    let ring = bounds;
    for (const other of seeds) {
      if (other !== seed) ring = clipCloserTo(ring, seed, other);
    }
    const n = i + 1;
    return {
      id: `grid-${String(n).padStart(2, '0')}`,
      name: `第${n}网格`,
      english: `Grid ${n}`,
      use: industrial.has(i) ? 'industrial' : random.chance(0.3) ? 'mixed' : 'residential',
      seed,
      ring,
    };
  });
}

function jitteredSeeds(random: Random, count: number, width: number, height: number): Point[] {
  const cols = Math.max(1, Math.round(Math.sqrt((count * width) / height)));
  const rows = Math.max(1, Math.ceil(count / cols));
  const cells: Point[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      cells.push({
        x: -width / 2 + ((c + 0.5 + random.range(-0.3, 0.3)) * width) / cols,
        y: -height / 2 + ((r + 0.5 + random.range(-0.3, 0.3)) * height) / rows,
      });
    }
  }
  // Drop cells at random down to the count: the neighbours grow over them, which makes sizes uneven.
  return random.shuffle(cells).slice(0, count);
}

/** Sutherland–Hodgman against one half-plane: the points closer to `seed` than to `other`. */
function clipCloserTo(ring: readonly Point[], seed: Point, other: Point): Point[] {
  const nx = other.x - seed.x;
  const ny = other.y - seed.y;
  const c = (other.x * other.x + other.y * other.y - seed.x * seed.x - seed.y * seed.y) / 2;
  const side = (p: Point) => c - (p.x * nx + p.y * ny);
  const result: Point[] = [];
  for (let k = 0; k < ring.length; k++) {
    const p = ring[k]!;
    const q = ring[(k + 1) % ring.length]!;
    const sp = side(p);
    const sq = side(q);
    if (sp >= 0) result.push(p);
    if (sp >= 0 !== sq >= 0) {
      const t = sp / (sp - sq);
      result.push({ x: p.x + t * (q.x - p.x), y: p.y + t * (q.y - p.y) });
    }
  }
  return result;
}

/** Which zone's cell holds the point: the nearest seed, by construction of the Voronoi partition. */
export function zoneOf(zones: readonly ZoneCell[], p: Point): ZoneCell {
  let best = zones[0]!;
  let bestD = Infinity;
  for (const zone of zones) {
    const d = (zone.seed.x - p.x) ** 2 + (zone.seed.y - p.y) ** 2;
    if (d < bestD) {
      bestD = d;
      best = zone;
    }
  }
  return best;
}

/** Distance from the point to the border of its zone's cell (the nearest bisector with another seed). */
export function distanceToBorder(zones: readonly ZoneCell[], p: Point): number {
  const own = zoneOf(zones, p);
  let nearest = Infinity;
  for (const zone of zones) {
    if (zone === own) continue;
    const nx = zone.seed.x - own.seed.x;
    const ny = zone.seed.y - own.seed.y;
    const length = Math.hypot(nx, ny);
    const mx = (zone.seed.x + own.seed.x) / 2;
    const my = (zone.seed.y + own.seed.y) / 2;
    nearest = Math.min(nearest, -((p.x - mx) * nx + (p.y - my) * ny) / length);
  }
  return nearest;
}
