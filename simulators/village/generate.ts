import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SITE_PATTERN } from '../../src/broker/topics.js';
import { LocalProjection } from '../../src/site/geo.js';
import { countsAt, planDevices, rentalBuildings } from './device-plan.js';
import { generatePlaces } from './places.js';
import { PLAN_FILE_NAME } from './plan-file.js';
import { PLAN_VERSION, type LonLatPair, type VillagePlan } from './plan.js';
import { Random } from './random.js';
import { generateRoads } from './roads.js';
import { siteCollections, type SiteCollections } from './site-geojson.js';
import { generateZones } from './zones.js';
import { parseArgs, type ArgSpec } from '../args.js';

/**
 * Generates a synthetic "model village" (site files + device plan) from a
 * seed. Same seed and options → byte-identical files.
 *
 *   node --import tsx simulators/village/generate.ts --seed 7 --out data/village [--scale 0.05]
 */

export interface VillageOptions {
  seed: number | string;
  /** Multiplies every device count (not the area); 1 is the full village of ~11,000 devices. */
  scale: number;
  centre: LonLatPair;
  widthM: number;
  heightM: number;
  zones: number;
  /** MQTT site id of every device. */
  site: string;
}

export const DEFAULT_VILLAGE: VillageOptions = {
  seed: 7,
  scale: 1,
  centre: [120.25, 30.18],
  widthM: 4000,
  heightM: 3000,
  zones: 19,
  site: 'village',
};

export interface Village {
  options: VillageOptions;
  site: SiteCollections;
  plan: VillagePlan;
}

export function generateVillage(overrides: Partial<VillageOptions> = {}): Village {
  const options = { ...DEFAULT_VILLAGE, ...overrides };
  if (!(options.scale > 0 && options.scale <= 4)) throw new RangeError(`scale must be > 0 and ≤ 4, got ${options.scale}`);
  if (!(options.widthM >= 400 && options.heightM >= 400 && options.widthM <= 20_000 && options.heightM <= 20_000)) {
    throw new RangeError(`the village must be 400 m – 20 km on each side, got ${options.widthM} × ${options.heightM} m`);
  }
  if (!Number.isInteger(options.zones) || options.zones < 1 || options.zones > 200) throw new RangeError(`zones must be an integer 1–200, got ${options.zones}`);
  if (!SITE_PATTERN.test(options.site)) throw new RangeError(`site must match ${SITE_PATTERN.source}, got ${JSON.stringify(options.site)}`);
  const root = new Random(options.seed);
  const projection = new LocalProjection(options.centre[0], options.centre[1]);
  const counts = countsAt(options.scale);

  const roads = generateRoads(root.fork('roads'), { widthM: options.widthM, heightM: options.heightM });
  const zones = generateZones(root.fork('zones'), {
    count: options.zones,
    widthM: options.widthM,
    heightM: options.heightM,
    marginM: 60,
    industrialShare: 0.26,
  });
  const roomsPerBuilding = rentalBuildings(root.fork('rooms'), counts.rooms);
  const places = generatePlaces(root.fork('places'), roads, zones, { factories: counts.factories, rentals: roomsPerBuilding.length, homes: counts.homes });
  const planned = planDevices({ random: root.fork('devices'), roads, zones, places, roomsPerBuilding, counts, projection });
  return {
    options,
    site: siteCollections(roads, zones, places, projection),
    plan: { version: PLAN_VERSION, seed: String(options.seed), scale: options.scale, site: options.site, centre: options.centre, ...planned },
  };
}

export const SITE_FILE_NAMES = { roads: 'roads.geojson', zones: 'zones.geojson', places: 'places.geojson' } as const;

/**
 * Writes the three site files and plan.json. Each file is written to a
 * temporary name and renamed, so a gateway watching the directory never
 * reads half a file. The plan holds (synthetic) ID numbers: owner-only.
 */
export function writeVillage(dir: string, village: Village): void {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, value: unknown, mode: number) => {
    const path = join(dir, name);
    const temporary = `${path}.tmp-${process.pid}`;
    writeFileSync(temporary, `${JSON.stringify(value)}\n`, { mode });
    renameSync(temporary, path);
  };
  write(SITE_FILE_NAMES.roads, village.site.roads, 0o644);
  write(SITE_FILE_NAMES.zones, village.site.zones, 0o644);
  write(SITE_FILE_NAMES.places, village.site.places, 0o644);
  write(PLAN_FILE_NAME, village.plan, 0o600);
}

const ARGS: Record<string, ArgSpec> = {
  seed: { kind: 'string', help: 'PRNG seed (default 7)' },
  out: { kind: 'string', help: 'output directory (required)' },
  scale: { kind: 'number', help: 'device count factor (default 1)' },
  centre: { kind: 'string', help: 'lon,lat of the village centre (default 120.25,30.18)' },
  width: { kind: 'number', help: 'east-west extent in metres (default 4000)' },
  height: { kind: 'number', help: 'north-south extent in metres (default 3000)' },
  zones: { kind: 'number', help: 'number of grid zones (default 19)' },
  site: { kind: 'string', help: 'MQTT site id (default "village")' },
};

export function villageOptionsFromArgs(values: Record<string, string | number | boolean | undefined>): Partial<VillageOptions> {
  const options: Partial<VillageOptions> = {};
  if (typeof values.seed === 'string') options.seed = values.seed;
  if (typeof values.scale === 'number') options.scale = values.scale;
  if (typeof values.width === 'number') options.widthM = values.width;
  if (typeof values.height === 'number') options.heightM = values.height;
  if (typeof values.zones === 'number') options.zones = values.zones;
  if (typeof values.site === 'string') options.site = values.site;
  if (typeof values.centre === 'string') {
    const parts = values.centre.split(',');
    const [lon, lat] = parts.map((part) => (part.trim() === '' ? NaN : Number(part)));
    if (parts.length !== 2 || lon === undefined || lat === undefined || !Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 85) {
      throw new RangeError(`--centre expects "lon,lat" in degrees, got ${JSON.stringify(values.centre)}`);
    }
    options.centre = [lon, lat];
  }
  return options;
}

export const GENERATE_ARGS = ARGS;

function main(): void {
  const { values } = parseArgs(process.argv.slice(2), ARGS, 'node --import tsx simulators/village/generate.ts --seed 7 --out data/village [--scale 0.05]');
  if (typeof values.out !== 'string') throw new Error('--out <dir> is required');
  const started = performance.now();
  const village = generateVillage(villageOptionsFromArgs(values));
  const dir = resolve(values.out);
  writeVillage(dir, village);
  const counts = new Map<string, number>();
  for (const device of village.plan.devices) counts.set(device.kind, (counts.get(device.kind) ?? 0) + 1);
  process.stdout.write(
    `village seed ${village.plan.seed} scale ${village.options.scale} written to ${dir} in ${Math.round(performance.now() - started)} ms: ` +
      `${village.site.roads.features.length} roads, ${village.site.zones.features.length} zones, ${village.site.places.features.length} places; ` +
      `devices ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}; ${village.plan.teams.length} teams, ${village.plan.tags.length} tags ` +
      `(${village.plan.stolenTags.length} stolen), ${village.plan.strangers.length} strangers' cards\n`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`generate: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
