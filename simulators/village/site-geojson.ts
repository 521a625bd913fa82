import type { LocalProjection } from '../../src/site/geo.js';
import { round7 } from './device-plan.js';
import type { PlacePoint } from './places.js';
import type { Point, RoadNetwork } from './roads.js';
import type { ZoneCell } from './zones.js';

/**
 * The generated village as the three site files the gateway reads
 * (docs/site-files.md): main and secondary roads as one LineString each
 * through all their junctions, every lane as its own piece (so it can be
 * one-way or narrow on its own), zones as closed Polygons, places as Points.
 */

export interface FeatureCollection {
  type: 'FeatureCollection';
  features: Feature[];
}

export interface Feature {
  type: 'Feature';
  id: string;
  geometry: { type: 'LineString'; coordinates: number[][] } | { type: 'Polygon'; coordinates: number[][][] } | { type: 'Point'; coordinates: number[] };
  properties: Record<string, string | number | boolean>;
}

export interface SiteCollections {
  roads: FeatureCollection;
  zones: FeatureCollection;
  places: FeatureCollection;
}

export function siteCollections(roads: RoadNetwork, zones: readonly ZoneCell[], places: readonly PlacePoint[], projection: LocalProjection): SiteCollections {
  const position = (p: Point) => [round7(projection.lon(p.x)), round7(projection.lat(p.y))];
  const roadFeatures: Feature[] = [];
  const id = () => `road-${String(roadFeatures.length + 1).padStart(4, '0')}`;
  for (const road of roads.named) {
    roadFeatures.push({
      type: 'Feature',
      id: id(),
      geometry: { type: 'LineString', coordinates: road.nodes.map((n) => position(roads.nodes[n]!)) },
      properties: { name: road.name, class: road.roadClass },
    });
  }
  for (const edge of roads.edges) {
    if (edge.named >= 0) continue;
    const properties: Feature['properties'] = { class: edge.roadClass };
    if (edge.speedKmh !== undefined) properties.speedKmh = edge.speedKmh;
    if (edge.oneway !== 'no') properties.oneway = edge.oneway;
    roadFeatures.push({
      type: 'Feature',
      id: id(),
      geometry: { type: 'LineString', coordinates: [position(roads.nodes[edge.a]!), position(roads.nodes[edge.b]!)] },
      properties,
    });
  }
  return {
    roads: { type: 'FeatureCollection', features: roadFeatures },
    zones: {
      type: 'FeatureCollection',
      features: zones.map((zone) => {
        const ring = zone.ring.map(position);
        ring.push([...ring[0]!]);
        return {
          type: 'Feature',
          id: zone.id,
          geometry: { type: 'Polygon', coordinates: [ring] },
          properties: { name: zone.name, english: zone.english, use: zone.use },
        };
      }),
    },
    places: {
      type: 'FeatureCollection',
      features: places.map((place) => ({
        type: 'Feature',
        id: place.id,
        geometry: { type: 'Point', coordinates: position(place) },
        properties: { name: place.name, type: place.type },
      })),
    },
  };
}
