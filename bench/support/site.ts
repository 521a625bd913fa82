import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomNetwork } from '../../test/dispatch/random-network.js';

/**
 * A generated village for the dispatch benchmark, written as the gateway
 * reads it from SITE_DIR: roads.geojson (the seeded irregular grid of
 * test/dispatch/random-network.ts: one-way streets, mixed speeds, bends),
 * places.geojson (one named place per alarm, scattered over the area) and a
 * zones.geojson covering it all.
 */
export interface BenchSite {
  places: { name: string; lon: number; lat: number }[];
  teams: { lon: number; lat: number }[];
  roadFeatures: number;
}

export function writeBenchSite(dir: string, options: { seed: number; side: number; places: number; teams: number }): BenchSite {
  const network = randomNetwork({ seed: options.seed, columns: options.side, rows: options.side, teamCount: options.teams, origin: [120.2, 30.2] });
  const places = Array.from({ length: options.places }, (_, i) => ({ name: `Workshop ${i + 1}`, ...network.randomPosition() }));
  const point = (name: string, lon: number, lat: number) => ({ type: 'Feature', properties: { name, type: 'factory' }, geometry: { type: 'Point', coordinates: [lon, lat] } });
  const lons = places.map((p) => p.lon).concat(network.teams.map((t) => t.lon));
  const lats = places.map((p) => p.lat).concat(network.teams.map((t) => t.lat));
  const [w, e, s, n] = [Math.min(...lons) - 0.01, Math.max(...lons) + 0.01, Math.min(...lats) - 0.01, Math.max(...lats) + 0.01];
  writeFileSync(join(dir, 'roads.geojson'), JSON.stringify(network.roads));
  writeFileSync(join(dir, 'places.geojson'), JSON.stringify({ type: 'FeatureCollection', features: places.map((p) => point(p.name, p.lon, p.lat)) }));
  writeFileSync(
    join(dir, 'zones.geojson'),
    JSON.stringify({
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { name: 'Bench village' }, geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] } }],
    }),
  );
  return { places, teams: network.teams.map(({ lon, lat }) => ({ lon, lat })), roadFeatures: network.roads.features.length };
}
