import type { FastifyInstance } from 'fastify';
import type { ResponseSystem } from '../../response/response-system.js';
import type { LonLat, Site } from '../../site/site.js';
import { requireRole, type PrincipalResolver } from '../auth.js';

export interface SiteRoutesOptions {
  auth: PrincipalResolver;
  response: Pick<ResponseSystem, 'currentSite'>;
  /** IANA time zone the pages show times in. */
  timeZone?: string;
}

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

type Feature<G, P> = { type: 'Feature'; id: string; geometry: G; properties: P };
type Collection<G, P> = { type: 'FeatureCollection'; features: Feature<G, P>[] };

export interface SiteMap {
  /** False while no site files are loaded (SITE_DIR unset or not valid yet): the collections are empty. */
  loaded: boolean;
  timeZone: string;
  /** [west, south, east, north] of everything drawn, or null for an empty site. */
  bbox: [number, number, number, number] | null;
  roads: Collection<{ type: 'MultiLineString'; coordinates: LonLat[][] }, { name: string | null; roadClass: string | null; speedKmh: number; travel: string }>;
  zones: Collection<{ type: 'MultiPolygon'; coordinates: LonLat[][][] }, { name: string }>;
  places: Collection<{ type: 'Point'; coordinates: LonLat }, { name: string; type: string | null }>;
}

/** The site as GeoJSON for the pages' maps (RFC 7946: longitude first); drawn offline, no tiles. */
export function siteMap(site: Site | undefined, timeZone: string): SiteMap {
  const roads = (site?.roads ?? []).map((road) => ({
    type: 'Feature' as const,
    id: road.id,
    geometry: { type: 'MultiLineString' as const, coordinates: road.lines },
    properties: { name: road.name ?? null, roadClass: road.roadClass ?? null, speedKmh: road.speedKmh, travel: road.travel },
  }));
  const zones = (site?.zones ?? []).map((zone) => ({
    type: 'Feature' as const,
    id: zone.id,
    geometry: { type: 'MultiPolygon' as const, coordinates: zone.polygons },
    properties: { name: zone.name },
  }));
  const places = (site?.places ?? []).map((place) => ({
    type: 'Feature' as const,
    id: place.id,
    geometry: { type: 'Point' as const, coordinates: [place.lon, place.lat] as LonLat },
    properties: { name: place.name, type: place.type ?? null },
  }));
  let bbox: SiteMap['bbox'] = null;
  const extend = ([lon, lat]: LonLat) => {
    if (!bbox) bbox = [lon, lat, lon, lat];
    else bbox = [Math.min(bbox[0], lon), Math.min(bbox[1], lat), Math.max(bbox[2], lon), Math.max(bbox[3], lat)];
  };
  for (const road of roads) for (const line of road.geometry.coordinates) line.forEach(extend);
  for (const zone of zones) for (const polygon of zone.geometry.coordinates) polygon[0]?.forEach(extend);
  for (const place of places) extend(place.geometry.coordinates);
  return {
    loaded: site !== undefined,
    timeZone,
    bbox,
    roads: { type: 'FeatureCollection', features: roads },
    zones: { type: 'FeatureCollection', features: zones },
    places: { type: 'FeatureCollection', features: places },
  };
}

export async function siteRoutes(app: FastifyInstance, options: SiteRoutesOptions): Promise<void> {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new Error(`siteRoutes: timeZone must be an IANA time zone such as Asia/Shanghai; got ${JSON.stringify(timeZone)}`);
  }
  app.get(
    '/api/site',
    {
      preValidation: requireRole(options.auth, ['operator', 'admin', 'brigade', 'installer', 'team'], 'read the site map'),
      schema: {
        tags: ['site'],
        summary: "The site's roads, zones and places as GeoJSON for the pages' maps, with the site's time zone",
      },
    },
    async (_request, reply) => {
      // Hot-reloaded site files: the page refetches when the live feed says `siteChanged`.
      reply.header('cache-control', 'no-cache');
      return siteMap(options.response.currentSite, timeZone);
    },
  );
}
