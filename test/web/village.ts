import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Credentials, Harness } from '../support/gateway-harness.js';

/**
 * A small village in metres around (120.2 E, 30.2 N), as in the dispatch
 * end-to-end test: a main road along y = 0 (40 km/h) with a furniture factory
 * at x = 1000, and a slow lane along y = 300.
 */
const LON0 = 120.2;
const LAT0 = 30.2;
const M_PER_DEG_LAT = 111_320;
const M_PER_DEG_LON = 111_320 * Math.cos((LAT0 * Math.PI) / 180);
export const at = (x: number, y: number): [number, number] => [LON0 + x / M_PER_DEG_LON, LAT0 + y / M_PER_DEG_LAT];

export function writeSite(dir: string): void {
  const road = (id: string, name: string, points: [number, number][], speedKmh: number) => ({
    type: 'Feature',
    properties: { id, name, speedKmh },
    geometry: { type: 'LineString', coordinates: points.map(([x, y]) => at(x, y)) },
  });
  writeFileSync(
    join(dir, 'roads.geojson'),
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        road('main', 'Main Street', [[0, 0], [500, 0], [1000, 0], [1500, 0], [2000, 0]], 40),
        road('lane', 'Back Lane', [[0, 300], [1000, 300], [2000, 300]], 15),
        road('west-link', 'West Link', [[0, 0], [0, 300]], 15),
        road('east-link', 'East Link', [[2000, 0], [2000, 300]], 15),
        road('north-spur', 'North Spur', [[1000, 300], [1000, 900]], 8),
      ],
    }),
  );
  writeFileSync(
    join(dir, 'places.geojson'),
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name: 'Furniture Factory 7', type: 'factory' }, geometry: { type: 'Point', coordinates: at(1000, 20) } },
        { type: 'Feature', properties: { name: 'Textile Mill 2', type: 'factory' }, geometry: { type: 'Point', coordinates: at(1500, 20) } },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'zones.geojson'),
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name: 'Grid 3' }, geometry: { type: 'Polygon', coordinates: [[at(-100, -100), at(2100, -100), at(2100, 400), at(-100, 400), at(-100, -100)]] } },
        { type: 'Feature', properties: { name: 'Grid 4' }, geometry: { type: 'Polygon', coordinates: [[at(800, 400), at(1200, 400), at(1200, 950), at(800, 950), at(800, 400)]] } },
      ],
    }),
  );
}

const MODELS = { fire: 'emberline/d10', team: 'patrolink/t1', lock: 'anmen/l3', camera: 'vistaguard/vg200', 'ebike-station': 'tagway/r500' } as const;

export async function registerAt(h: Harness, kind: keyof typeof MODELS, id: string, x: number, y: number): Promise<Credentials> {
  const [lon, lat] = at(x, y);
  const response = await h.http('POST', '/api/devices', { id, site: 'testvillage', kind, model: MODELS[kind], lon, lat });
  if (response.status !== 201) throw new Error(response.text);
  return response.json as Credentials;
}

export interface Tracker {
  client: MqttClient;
  credentials: Credentials;
  move(x: number, y: number): Promise<void>;
  say(payload: Record<string, unknown>): Promise<void>;
}

/** A patrol team with its tracker connected, standing at (x, y), available. */
export async function tracker(h: Harness, teamId: string, name: string, x: number, y: number): Promise<Tracker> {
  const credentials = await registerAt(h, 'team', `${teamId}-tracker`, x, y);
  const created = await h.http('POST', '/api/teams', { id: teamId, name, trackerDeviceId: credentials.device.id });
  if (created.status !== 201) throw new Error(created.text);
  const client = await h.connect(credentials);
  const topic = `v1/testvillage/team/${credentials.device.id}/event`;
  const say = async (payload: Record<string, unknown>) => void (await client.publishAsync(topic, JSON.stringify(payload), { qos: 1 }));
  const move = async (px: number, py: number) => {
    const [lon, lat] = at(px, py);
    await say({ event: 'position', lat, lon, speed_kmh: 30 });
  };
  await move(x, y);
  await say({ event: 'status', status: 'available' });
  return { client, credentials, move, say };
}
