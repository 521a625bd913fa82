import { FactoryNames, HAMLETS } from './names.js';
import type { Random } from './random.js';
import type { Point, RoadNetwork } from './roads.js';
import { distanceToBorder, zoneOf, type ZoneCell } from './zones.js';

/**
 * Named places: factories (mostly in the industrial zones), rental buildings
 * (whose rooms get the door locks), family homes and a few public buildings.
 * Each stands 15–45 m off a road and at least `minSpacingM` from any other,
 * so a detector or lock set a few metres from its building is nearer to it
 * than to anything else (the gateway gives a device the nearest place).
 */

export type PlaceType = 'factory' | 'rental' | 'home' | 'school' | 'market' | 'office' | 'clinic';

export interface PlacePoint extends Point {
  id: string;
  name: string;
  type: PlaceType;
  zone: ZoneCell;
}

export interface PlaceCounts {
  factories: number;
  rentals: number;
  homes: number;
}

export const PLACE_MIN_SPACING_M = 30;
const ZONE_BORDER_CLEARANCE_M = 20;

export function generatePlaces(random: Random, roads: RoadNetwork, zones: readonly ZoneCell[], counts: PlaceCounts): PlacePoint[] {
  const grid = new SpacingGrid(PLACE_MIN_SPACING_M);
  const places: PlacePoint[] = [];
  const streetEdges = roads.edges.filter((e) => !e.spur);
  const industrial = new Set(zones.filter((z) => z.use === 'industrial').map((z) => z.id));
  const limitX = roads.widthM / 2;
  const limitY = roads.heightM / 2;

  /** A spot beside a random road; `accept` filters by zone. Bounded: undefined after many misses. */
  const spot = (accept: (zone: ZoneCell) => boolean): { point: Point; zone: ZoneCell } | undefined => {
    for (let attempt = 0; attempt < 400; attempt++) {
      const edge = random.pick(streetEdges);
      const a = roads.nodes[edge.a]!;
      const b = roads.nodes[edge.b]!;
      const t = random.range(0.15, 0.85);
      const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      const offset = random.range(15, 45) * (random.chance(0.5) ? 1 : -1);
      const point = { x: a.x + t * (b.x - a.x) - (offset * (b.y - a.y)) / length, y: a.y + t * (b.y - a.y) + (offset * (b.x - a.x)) / length };
      if (Math.abs(point.x) > limitX || Math.abs(point.y) > limitY || !grid.free(point)) continue;
      // A building's lot lies in one grid: keep clear of zone borders, so its detectors and locks do too.
      if (distanceToBorder(zones, point) < ZONE_BORDER_CLEARANCE_M) continue;
      const zone = zoneOf(zones, point);
      if (!accept(zone)) continue;
      grid.add(point);
      return { point, zone };
    }
    return undefined;
  };

  const factoryNames = new FactoryNames(random);
  for (let n = 1; n <= counts.factories; n++) {
    // Three in four factories stand in the industrial zones; the rest are workshops among the houses.
    const wantIndustrial = industrial.size > 0 && random.chance(0.75);
    const found = spot((zone) => !wantIndustrial || industrial.has(zone.id)) ?? spot(() => true);
    if (!found) break;
    places.push({ ...found.point, id: `factory-${pad(n, 4)}`, name: factoryNames.next(), type: 'factory', zone: found.zone });
  }

  const houseNumbers = new Map<string, number>();
  const address = (zone: ZoneCell) => {
    const hamlet = HAMLETS[zones.indexOf(zone) % HAMLETS.length]!;
    const next = (houseNumbers.get(hamlet) ?? 0) + 1;
    houseNumbers.set(hamlet, next);
    return `${hamlet}${next}号`;
  };
  for (let n = 1; n <= counts.rentals; n++) {
    const found = spot((zone) => !industrial.has(zone.id) || random.chance(0.3)) ?? spot(() => true);
    if (!found) break;
    places.push({ ...found.point, id: `rental-${pad(n, 4)}`, name: `${address(found.zone)}出租楼`, type: 'rental', zone: found.zone });
  }
  for (let n = 1; n <= counts.homes; n++) {
    const found = spot((zone) => !industrial.has(zone.id)) ?? spot(() => true);
    if (!found) break;
    places.push({ ...found.point, id: `home-${pad(n, 4)}`, name: `${address(found.zone)}民居`, type: 'home', zone: found.zone });
  }

  const civic: [PlaceType, string][] = [
    ['office', '村委会'],
    ['school', '中心小学'],
    ['school', '幼儿园'],
    ['market', '农贸市场'],
    ['clinic', '社区卫生服务站'],
    ['office', '警务室'],
  ];
  civic.forEach(([type, name], k) => {
    const found = spot(() => true);
    if (found) places.push({ ...found.point, id: `${type}-${k + 1}`, name, type, zone: found.zone });
  });
  return places;
}

/** Rejects points closer than the spacing to one already taken; cells of the spacing's size, 3×3 looked at. */
class SpacingGrid {
  private readonly cells = new Map<string, Point[]>();

  constructor(private readonly spacing: number) {}

  free(p: Point): boolean {
    const cx = Math.floor(p.x / this.spacing);
    const cy = Math.floor(p.y / this.spacing);
    for (let i = -1; i <= 1; i++) {
      for (let j = -1; j <= 1; j++) {
        for (const q of this.cells.get(`${cx + i},${cy + j}`) ?? []) {
          if (Math.hypot(p.x - q.x, p.y - q.y) < this.spacing) return false;
        }
      }
    }
    return true;
  }

  add(p: Point): void {
    const key = `${Math.floor(p.x / this.spacing)},${Math.floor(p.y / this.spacing)}`;
    const list = this.cells.get(key);
    if (list) list.push(p);
    else this.cells.set(key, [p]);
  }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

