import type { LocalProjection } from '../site/geo.js';

/** Offsets grid cells so keys stay non-negative for any site within ±16,000 km of its origin at 0.5 m. */
const KEY_OFFSET = 2 ** 25;
const KEY_STRIDE = 2 ** 26;

/**
 * Turns line vertices into graph nodes. Vertices of different roads within
 * `toleranceM` of each other become one junction: roads drawn without
 * snapping in QGIS often miss each other by centimetres, and a missed
 * junction makes a whole street unreachable. Roads that cross without a
 * shared vertex (a bridge over a road) stay unconnected.
 */
export class JunctionMerger {
  readonly lon: number[] = [];
  readonly lat: number[] = [];
  readonly x: number[] = [];
  readonly y: number[] = [];
  private readonly cells = new Map<number, number[]>();
  private readonly exact = new Map<string, number>();

  constructor(
    private readonly projection: LocalProjection,
    private readonly toleranceM: number,
  ) {}

  get count(): number {
    return this.lon.length;
  }

  nodeAt(lon: number, lat: number): number {
    if (this.toleranceM <= 0) {
      const key = `${lon},${lat}`;
      const found = this.exact.get(key);
      if (found !== undefined) return found;
      const node = this.add(lon, lat, this.projection.x(lon), this.projection.y(lat));
      this.exact.set(key, node);
      return node;
    }
    const x = this.projection.x(lon);
    const y = this.projection.y(lat);
    const cx = Math.floor(x / this.toleranceM);
    const cy = Math.floor(y / this.toleranceM);
    let nearest = -1;
    let nearestD2 = this.toleranceM * this.toleranceM;
    for (let i = -1; i <= 1; i++) {
      for (let j = -1; j <= 1; j++) {
        for (const node of this.cells.get(key(cx + i, cy + j)) ?? []) {
          const dx = (this.x[node] as number) - x;
          const dy = (this.y[node] as number) - y;
          const d2 = dx * dx + dy * dy;
          if (d2 <= nearestD2) {
            nearestD2 = d2;
            nearest = node;
          }
        }
      }
    }
    if (nearest >= 0) return nearest;
    const node = this.add(lon, lat, x, y);
    const cell = key(cx, cy);
    const list = this.cells.get(cell);
    if (list) list.push(node);
    else this.cells.set(cell, [node]);
    return node;
  }

  private add(lon: number, lat: number, x: number, y: number): number {
    this.lon.push(lon);
    this.lat.push(lat);
    this.x.push(x);
    this.y.push(y);
    return this.lon.length - 1;
  }
}

function key(cx: number, cy: number): number {
  return (cx + KEY_OFFSET) * KEY_STRIDE + (cy + KEY_OFFSET);
}
