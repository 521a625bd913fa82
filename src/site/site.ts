import type { RoadClass } from './road-classes.js';

/** WGS84 position in GeoJSON order: longitude first (RFC 7946 §3.1.1). */
export type LonLat = readonly [lon: number, lat: number];

/**
 * Which way traffic may move along a road, relative to the order of its
 * coordinates: `forward` follows the coordinates, `backward` runs against them
 * (OSM's `oneway=-1`).
 */
export type Travel = 'both' | 'forward' | 'backward';

export interface Road {
  /** The feature's id, or `#<index>` when the operator gave none. */
  id: string;
  /** Position in `roads.geojson`'s `features`, counting from 0. */
  index: number;
  name?: string;
  /** One line for a LineString, one per part for a MultiLineString. */
  lines: LonLat[][];
  speedKmh: number;
  /** Kept for display even when an explicit `speedKmh` overrides its speed. */
  roadClass?: RoadClass;
  travel: Travel;
}

export interface Zone {
  /** The feature's id, or its name when it has none. */
  id: string;
  index: number;
  name: string;
  /** Polygons, each an outer ring followed by its holes. */
  polygons: LonLat[][][];
}

export interface Place {
  /** The feature's id, or its name when it has none. */
  id: string;
  index: number;
  name: string;
  /** Free text such as `factory`, `home`, `school`. */
  type?: string;
  lon: number;
  lat: number;
}

export interface Site {
  roads: Road[];
  zones: Zone[];
  places: Place[];
}
