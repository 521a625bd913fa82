/** IUGG mean Earth radius; the choice matters far less than GPS error. */
export const EARTH_RADIUS_M = 6_371_008.8;

const RAD = Math.PI / 180;

/** Great-circle distance in metres between two WGS84 positions. */
export function haversineM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Equirectangular projection to metres around an origin. Over a village
 * (a few km) its distortion is far below GPS error, and unlike haversine it
 * makes "nearest point on a segment" plain 2-D geometry.
 */
export class LocalProjection {
  private readonly metresPerDegreeLon: number;
  private readonly metresPerDegreeLat: number;

  constructor(
    readonly originLon: number,
    readonly originLat: number,
  ) {
    this.metresPerDegreeLat = EARTH_RADIUS_M * RAD;
    this.metresPerDegreeLon = this.metresPerDegreeLat * Math.cos(originLat * RAD);
  }

  /** Centred on the middle of a bounding box, to keep distortion even across the site. */
  static around(positions: Iterable<readonly [number, number]>): LocalProjection {
    let minLon = Infinity;
    let maxLon = -Infinity;
    let minLat = Infinity;
    let maxLat = -Infinity;
    for (const [lon, lat] of positions) {
      minLon = Math.min(minLon, lon);
      maxLon = Math.max(maxLon, lon);
      minLat = Math.min(minLat, lat);
      maxLat = Math.max(maxLat, lat);
    }
    if (minLon > maxLon) return new LocalProjection(0, 0);
    return new LocalProjection((minLon + maxLon) / 2, (minLat + maxLat) / 2);
  }

  x(lon: number): number {
    return (lon - this.originLon) * this.metresPerDegreeLon;
  }

  y(lat: number): number {
    return (lat - this.originLat) * this.metresPerDegreeLat;
  }

  lon(x: number): number {
    return this.originLon + x / this.metresPerDegreeLon;
  }

  lat(y: number): number {
    return this.originLat + y / this.metresPerDegreeLat;
  }
}
