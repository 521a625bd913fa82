import type { LonLat, Zone } from './site.js';

interface IndexedPolygon {
  zone: Zone;
  rings: LonLat[][];
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

/**
 * Which zone a point lies in, fast enough for every tag read and alarm
 * (a grid of cells lists the polygons whose bounding box touches them, so a
 * lookup tests a few polygons instead of all). Where zones overlap, the
 * smallest one wins: a factory compound inside a village ward is the more
 * useful answer.
 */
export class ZoneIndex {
  private readonly cells: IndexedPolygon[][];
  private readonly columns: number;
  private readonly rows: number;
  private readonly minLon: number;
  private readonly minLat: number;
  private readonly cellLon: number;
  private readonly cellLat: number;

  constructor(zones: readonly Zone[]) {
    const polygons = zones
      .flatMap((zone) => zone.polygons.map((rings) => ({ zone, rings, area: zoneArea(zone) })))
      .sort((a, b) => a.area - b.area)
      .map(({ zone, rings }) => withBounds(zone, rings));
    this.minLon = polygons.reduce((min, p) => Math.min(min, p.minLon), Infinity);
    this.minLat = polygons.reduce((min, p) => Math.min(min, p.minLat), Infinity);
    const maxLon = polygons.reduce((max, p) => Math.max(max, p.maxLon), -Infinity);
    const maxLat = polygons.reduce((max, p) => Math.max(max, p.maxLat), -Infinity);
    // About four cells per polygon keeps candidate lists short without a huge grid.
    const side = Math.max(1, Math.min(256, Math.ceil(Math.sqrt(polygons.length * 4))));
    this.columns = side;
    this.rows = side;
    this.cellLon = polygons.length === 0 ? 1 : Math.max((maxLon - this.minLon) / side, 1e-9);
    this.cellLat = polygons.length === 0 ? 1 : Math.max((maxLat - this.minLat) / side, 1e-9);
    this.cells = Array.from({ length: this.columns * this.rows }, () => []);
    for (const polygon of polygons) {
      const [c0, r0] = this.cellOf(polygon.minLon, polygon.minLat);
      const [c1, r1] = this.cellOf(polygon.maxLon, polygon.maxLat);
      for (let c = c0; c <= c1; c++) for (let r = r0; r <= r1; r++) this.cells[r * this.columns + c]?.push(polygon);
    }
  }

  /** The smallest zone containing the point, or `undefined` outside every zone. */
  zoneAt(lon: number, lat: number): Zone | undefined {
    return this.candidates(lon, lat).find((polygon) => contains(polygon, lon, lat))?.zone;
  }

  /** Every zone containing the point, smallest first. */
  zonesAt(lon: number, lat: number): Zone[] {
    const found = new Set<Zone>();
    for (const polygon of this.candidates(lon, lat)) if (contains(polygon, lon, lat)) found.add(polygon.zone);
    return [...found];
  }

  private candidates(lon: number, lat: number): IndexedPolygon[] {
    const column = Math.floor((lon - this.minLon) / this.cellLon);
    const row = Math.floor((lat - this.minLat) / this.cellLat);
    // The max edge of the grid belongs to the last cell.
    const c = column === this.columns ? column - 1 : column;
    const r = row === this.rows ? row - 1 : row;
    if (c < 0 || r < 0 || c >= this.columns || r >= this.rows) return [];
    return this.cells[r * this.columns + c] ?? [];
  }

  private cellOf(lon: number, lat: number): [number, number] {
    const clamp = (value: number, size: number) => Math.min(size - 1, Math.max(0, Math.floor(value)));
    return [clamp((lon - this.minLon) / this.cellLon, this.columns), clamp((lat - this.minLat) / this.cellLat, this.rows)];
  }
}

function withBounds(zone: Zone, rings: LonLat[][]): IndexedPolygon {
  const polygon = { zone, rings, minLon: Infinity, minLat: Infinity, maxLon: -Infinity, maxLat: -Infinity };
  // A loop, not Math.min(...ring): a surveyed boundary can exceed the spread-argument limit.
  for (const [lon, lat] of rings[0] ?? []) {
    polygon.minLon = Math.min(polygon.minLon, lon);
    polygon.minLat = Math.min(polygon.minLat, lat);
    polygon.maxLon = Math.max(polygon.maxLon, lon);
    polygon.maxLat = Math.max(polygon.maxLat, lat);
  }
  return polygon;
}

function contains(polygon: IndexedPolygon, lon: number, lat: number): boolean {
  if (lon < polygon.minLon || lon > polygon.maxLon || lat < polygon.minLat || lat > polygon.maxLat) return false;
  // Even-odd over all rings: inside the outer ring and outside every hole.
  let inside = false;
  for (const ring of polygon.rings) if (ringContains(ring, lon, lat)) inside = !inside;
  return inside;
}

/** Ray casting (W. Randolph Franklin's PNPOLY). */
function ringContains(ring: readonly LonLat[], lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as LonLat;
    const [xj, yj] = ring[j] as LonLat;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Planar area in square degrees: only compared between zones of one site, never shown. */
function zoneArea(zone: Zone): number {
  let area = 0;
  for (const rings of zone.polygons) {
    rings.forEach((ring, i) => {
      const ringArea = Math.abs(shoelace(ring));
      area += i === 0 ? ringArea : -ringArea;
    });
  }
  return area;
}

function shoelace(ring: readonly LonLat[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as LonLat;
    const [xj, yj] = ring[j] as LonLat;
    sum += (xj - xi) * (yj + yi);
  }
  return sum / 2;
}
