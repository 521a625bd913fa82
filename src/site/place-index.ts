import { haversineM } from './geo.js';
import type { Place } from './site.js';

export interface NearestPlace {
  place: Place;
  distanceM: number;
}

export interface NearestPlaceQuery {
  /** Only places of this type, e.g. the nearest `school`. */
  type?: string;
  /** Nothing farther than this counts as "near"; the default has no limit. */
  maxDistanceM?: number;
}

/**
 * Nearest named place to a position, for incident titles ("near Dongfang
 * factory"). A site has hundreds of places, so a scan over packed arrays with
 * a flat-earth distance is fast enough; only the winner gets haversine.
 */
export class PlaceIndex {
  private readonly lon: Float64Array;
  private readonly lat: Float64Array;

  constructor(private readonly places: readonly Place[]) {
    this.lon = Float64Array.from(places, (p) => p.lon);
    this.lat = Float64Array.from(places, (p) => p.lat);
  }

  nearest(lon: number, lat: number, query: NearestPlaceQuery = {}): NearestPlace | undefined {
    const cosLat = Math.cos((lat * Math.PI) / 180);
    let best = -1;
    let bestScore = Infinity;
    for (let i = 0; i < this.places.length; i++) {
      if (query.type !== undefined && this.places[i]?.type !== query.type) continue;
      const dx = ((this.lon[i] as number) - lon) * cosLat;
      const dy = (this.lat[i] as number) - lat;
      const score = dx * dx + dy * dy;
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    const place = this.places[best];
    if (!place) return undefined;
    const distanceM = haversineM(lon, lat, place.lon, place.lat);
    return distanceM <= (query.maxDistanceM ?? Infinity) ? { place, distanceM } : undefined;
  }
}
