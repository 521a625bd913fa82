import { z } from 'zod';
import type { LonLat } from './site.js';

/**
 * GeoJSON geometries checked by hand inside zod transforms, so every problem
 * points at one coordinate (`geometry.coordinates[3][1]`) instead of zod's
 * "invalid union" for the whole geometry.
 */

/** A feature with thousands of broken vertices needs a handful of examples, not thousands of lines. */
const MAX_COORDINATE_ISSUES = 5;

type Path = (string | number)[];

class CoordinateIssues {
  private count = 0;
  constructor(private readonly ctx: z.RefinementCtx) {}

  add(path: Path, message: string): void {
    this.count += 1;
    if (this.count <= MAX_COORDINATE_ISSUES) this.ctx.addIssue({ code: 'custom', path, message });
    else if (this.count === MAX_COORDINATE_ISSUES + 1) {
      this.ctx.addIssue({ code: 'custom', path: ['coordinates'], message: 'more problems in these coordinates are not listed' });
    }
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function readPosition(value: unknown, path: Path, issues: CoordinateIssues): LonLat | undefined {
  if (!Array.isArray(value) || value.length < 2) {
    issues.add(path, 'expected a position [longitude, latitude]');
    return undefined;
  }
  const [lon, lat] = value as unknown[];
  const lonOk = isFiniteNumber(lon) && lon >= -180 && lon <= 180;
  const latOk = isFiniteNumber(lat) && lat >= -90 && lat <= 90;
  if (!lonOk) issues.add([...path, 0], 'expected a longitude between -180 and 180');
  if (!latOk) {
    // RFC 7946 §3.1.1 puts longitude first; [lat, lon] is the usual slip.
    const swapped = isFiniteNumber(lat) && isFiniteNumber(lon) && Math.abs(lon) <= 90 && Math.abs(lat) <= 180;
    issues.add([...path, 1], `expected a latitude between -90 and 90${swapped ? ' (positions are [longitude, latitude]: swapped?)' : ''}`);
  }
  return lonOk && latOk ? [lon, lat] : undefined;
}

function readPositions(value: unknown, path: Path, issues: CoordinateIssues): LonLat[] | undefined {
  if (!Array.isArray(value)) {
    issues.add(path, 'expected a list of positions');
    return undefined;
  }
  const positions: LonLat[] = [];
  let ok = true;
  value.forEach((item: unknown, i) => {
    const position = readPosition(item, [...path, i], issues);
    if (position) positions.push(position);
    else ok = false;
  });
  return ok ? positions : undefined;
}

function readLine(value: unknown, path: Path, issues: CoordinateIssues): LonLat[] | undefined {
  const positions = readPositions(value, path, issues);
  if (!positions) return undefined;
  const first = positions[0];
  if (!first || !positions.some((p) => p[0] !== first[0] || p[1] !== first[1])) {
    issues.add(path, 'expected a line of at least two different positions');
    return undefined;
  }
  return positions;
}

function readRing(value: unknown, path: Path, issues: CoordinateIssues): LonLat[] | undefined {
  const positions = readPositions(value, path, issues);
  if (!positions) return undefined;
  const first = positions[0];
  const last = positions[positions.length - 1];
  if (positions.length < 4 || !first || !last) {
    issues.add(path, 'expected a ring of at least four positions');
    return undefined;
  }
  if (first[0] !== last[0] || first[1] !== last[1]) {
    // RFC 7946 §3.1.6: a linear ring is closed, first and last positions equal.
    issues.add(path, 'this ring is not closed: its last position must repeat the first (RFC 7946 §3.1.6)');
    return undefined;
  }
  return positions;
}

function readList<T>(value: unknown, path: Path, issues: CoordinateIssues, what: string, readItem: (item: unknown, path: Path) => T | undefined): T[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    issues.add(path, `expected a non-empty list of ${what}`);
    return undefined;
  }
  const items: T[] = [];
  let ok = true;
  value.forEach((item: unknown, i) => {
    const read = readItem(item, [...path, i]);
    if (read) items.push(read);
    else ok = false;
  });
  return ok ? items : undefined;
}

type Reader<T> = (coordinates: unknown, issues: CoordinateIssues) => T | undefined;

function geometrySchema<T>(readers: Record<string, Reader<T>>) {
  const names = Object.keys(readers);
  const expected = names.map((name) => `"${name}"`).join(' or ');
  return z.unknown().transform((geometry, ctx): T => {
    if (geometry === null || typeof geometry !== 'object' || Array.isArray(geometry)) {
      ctx.addIssue({ code: 'custom', message: `expected a ${names.join(' or ')} geometry` });
      return z.NEVER;
    }
    const { type, coordinates } = geometry as { type?: unknown; coordinates?: unknown };
    const read = typeof type === 'string' && Object.hasOwn(readers, type) ? readers[type] : undefined;
    if (!read) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `expected ${expected}` });
      return z.NEVER;
    }
    const value = read(coordinates, new CoordinateIssues(ctx));
    return value === undefined ? z.NEVER : value;
  });
}

/** Every part of a road as a list of lines. */
export const roadGeometry = geometrySchema<LonLat[][]>({
  LineString: (coordinates, issues) => {
    const line = readLine(coordinates, ['coordinates'], issues);
    return line ? [line] : undefined;
  },
  MultiLineString: (coordinates, issues) =>
    readList(coordinates, ['coordinates'], issues, 'lines', (item, path) => readLine(item, path, issues)),
});

/** Every zone as a list of polygons (outer ring, then holes). */
export const zoneGeometry = geometrySchema<LonLat[][][]>({
  Polygon: (coordinates, issues) => {
    const polygon = readList(coordinates, ['coordinates'], issues, 'rings', (item, path) => readRing(item, path, issues));
    return polygon ? [polygon] : undefined;
  },
  MultiPolygon: (coordinates, issues) =>
    readList(coordinates, ['coordinates'], issues, 'polygons', (polygon, path) =>
      readList(polygon, path, issues, 'rings', (ring, ringPath) => readRing(ring, ringPath, issues)),
    ),
});

export const placeGeometry = geometrySchema<LonLat>({
  Point: (coordinates, issues) => readPosition(coordinates, ['coordinates'], issues),
});
