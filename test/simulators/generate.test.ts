import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DEVICE_ID_PATTERN } from '../../src/broker/topics.js';
import { buildRoadGraph } from '../../src/dispatch/road-graph.js';
import { describeSiteIssue, parseSiteTexts, PlaceIndex, ZoneIndex, type Site } from '../../src/site/site-files.js';
import { FULL_SCALE } from '../../simulators/village/device-plan.js';
import { generateVillage, writeVillage } from '../../simulators/village/generate.js';
import { isValidIdNumber } from '../../simulators/village/names.js';
import { countByKind, type VillagePlan } from '../../simulators/village/plan.js';

const FILES = ['roads.geojson', 'zones.geojson', 'places.geojson', 'plan.json'];

function written(seed: number, scale: number): { dir: string; files: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'village-'));
  writeVillage(dir, generateVillage({ seed, scale }));
  return { dir, files: Object.fromEntries(FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')])) };
}

function siteOf(files: Record<string, string>): Site {
  const result = parseSiteTexts({ roads: files['roads.geojson'], zones: files['zones.geojson'], places: files['places.geojson'] });
  if (!result.ok) throw new Error(result.issues.slice(0, 10).map(describeSiteIssue).join('\n'));
  return result.site;
}

t.test('the same seed writes byte-identical files; another seed a different village', async (t) => {
  const a = written(7, 0.05);
  const b = written(7, 0.05);
  const c = written(8, 0.05);
  t.teardown(() => [a, b, c].forEach((v) => rmSync(v.dir, { recursive: true, force: true })));
  for (const file of FILES) t.equal(a.files[file], b.files[file], `${file} is identical for seed 7`);
  t.not(a.files['roads.geojson'], c.files['roads.geojson'], 'seed 8 draws other roads');
  t.equal(statSync(join(a.dir, 'plan.json')).mode & 0o777, 0o600, 'plan.json (ID numbers, even synthetic) is owner-only');
});

t.test('a full-scale village: valid site files, counts at scale, one connected network with one-way streets', async (t) => {
  const { dir, files } = written(7, 1);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const site = siteOf(files);
  const plan = JSON.parse(files['plan.json']!) as VillagePlan;
  const counts = countByKind(plan);
  const within = (what: string, got: number, expected: number) => t.ok(Math.abs(got - expected) <= expected * 0.1, `${what}: ${got}, expected ${expected} ± 10%`);
  within('cameras', counts.camera, FULL_SCALE.cameras);
  within('locks (rooms)', counts.lock, FULL_SCALE.rooms);
  within('tag stations', counts['ebike-station'], FULL_SCALE.stations);
  within('fire detectors (~5 per factory)', counts.fire, FULL_SCALE.factories * 5);
  within('team trackers', counts.team, FULL_SCALE.teams);
  within('e-bike tags', plan.tags.length, FULL_SCALE.tags);
  within('factories', site.places.filter((p) => p.type === 'factory').length, FULL_SCALE.factories);
  t.equal(site.zones.length, 19, '19 grid zones');
  t.ok(site.zones.every((z) => /^第\d+网格$/.test(z.name) && /^grid-\d\d$/.test(z.id)), 'zones are named 第N网格 with ids grid-NN');
  t.ok(plan.stolenTags.length > 0 && plan.strangers.some((s) => s.blacklisted), 'some tags are stolen and some cards blacklisted');

  // The area: about 4 km × 3 km around 120.25 E, 30.18 N.
  const lons = site.places.map((p) => p.lon);
  const lats = site.places.map((p) => p.lat);
  const widthKm = ((Math.max(...lons) - Math.min(...lons)) * 111.32 * Math.cos((30.18 * Math.PI) / 180));
  const heightKm = (Math.max(...lats) - Math.min(...lats)) * 111.32;
  t.ok(widthKm > 3.5 && widthKm < 4.2 && heightKm > 2.5 && heightKm < 3.2, `places spread over ${widthKm.toFixed(2)} × ${heightKm.toFixed(2)} km`);

  const graph = buildRoadGraph(site.roads);
  const parent = Int32Array.from({ length: graph.nodeCount }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let s = 0; s < graph.segmentCount; s++) parent[find(graph.segFrom[s]!)] = find(graph.segTo[s]!);
  const sizes = new Map<number, number>();
  for (let n = 0; n < graph.nodeCount; n++) sizes.set(find(n), (sizes.get(find(n)) ?? 0) + 1);
  t.equal(Math.max(...sizes.values()), graph.nodeCount, `one component holds all ${graph.nodeCount} junctions`);

  // Every junction reaches every other along the allowed directions (one-way streets do not trap a team).
  const reach = (start: Int32Array, node: Int32Array) => {
    const seen = new Uint8Array(graph.nodeCount);
    const stack = [0];
    seen[0] = 1;
    let count = 1;
    while (stack.length > 0) {
      const n = stack.pop()!;
      for (let a = start[n]!; a < start[n + 1]!; a++) {
        if (!seen[node[a]!]) {
          seen[node[a]!] = 1;
          count += 1;
          stack.push(node[a]!);
        }
      }
    }
    return count;
  };
  t.equal(reach(graph.outStart, graph.outNode), graph.nodeCount, 'strongly connected: out from junction 0 reaches all');
  t.equal(reach(graph.inStart, graph.inNode), graph.nodeCount, 'and every junction reaches junction 0');

  const oneWay = site.roads.filter((r) => r.travel !== 'both');
  t.ok(oneWay.length >= 20, `${oneWay.length} one-way streets`);
  t.ok(oneWay.some((r) => r.travel === 'backward'), 'some drawn against their direction (oneway "-1")');
  const speeds = new Set(site.roads.map((r) => r.speedKmh));
  t.ok(speeds.has(40) && speeds.has(15), `main roads at 40 km/h and lanes at 15 km/h (speeds: ${[...speeds].sort((a, b) => a - b).join(', ')})`);
  let deadEnds = 0;
  for (let n = 0; n < graph.nodeCount; n++) {
    const neighbours = new Set<number>();
    for (let a = graph.outStart[n]!; a < graph.outStart[n + 1]!; a++) neighbours.add(graph.outNode[a]!);
    for (let a = graph.inStart[n]!; a < graph.inStart[n + 1]!; a++) neighbours.add(graph.inNode[a]!);
    if (neighbours.size === 1) deadEnds += 1;
  }
  t.ok(deadEnds >= 20, `${deadEnds} dead ends`);
});

t.test('the plan is what the gateway will see: zones and places as it locates devices, ids and cards it accepts', async (t) => {
  const { dir, files } = written(11, 0.1);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const site = siteOf(files);
  const plan = JSON.parse(files['plan.json']!) as VillagePlan;
  const zones = new ZoneIndex(site.zones);
  const places = new PlaceIndex(site.places);
  const ids = new Set<string>();
  const rooms = new Set<string>();
  const problems = { id: [] as string[], zone: [] as string[], place: [] as string[], room: [] as string[], card: [] as string[] };
  for (const device of plan.devices) {
    if (!DEVICE_ID_PATTERN.test(device.id) || ids.has(device.id)) problems.id.push(device.id);
    ids.add(device.id);
    if (zones.zoneAt(device.lon, device.lat)?.name !== device.zoneName) problems.zone.push(device.id);
    // As DeviceLocator does it: the nearest place within 200 m is the device's place.
    if ((device.kind === 'fire' || device.kind === 'lock') && places.nearest(device.lon, device.lat, { maxDistanceM: 200 })?.place.id !== device.place) problems.place.push(device.id);
    if (device.kind === 'lock') {
      if (device.room.length > 16 || rooms.has(device.room)) problems.room.push(device.room);
      rooms.add(device.room);
      if (device.tenants.length === 0 || !device.tenants.every((tenant) => isValidIdNumber(tenant.card))) problems.card.push(device.id);
    }
  }
  t.same(problems.id, [], `${ids.size} device ids, unique and valid`);
  t.same(problems.zone, [], 'every device lies in the zone the plan says');
  t.same(problems.place, [], 'every detector and lock is nearest to its own building');
  t.same(problems.room, [], `${rooms.size} rooms, unique, ≤ 16 characters`);
  t.same(problems.card, [], "every room has tenants with valid ID numbers");
  t.ok(plan.strangers.every((s) => isValidIdNumber(s.card)), "strangers' cards are valid-looking ID numbers too");
  t.equal(new Set(plan.tags.map((tag) => tag.tag)).size, plan.tags.length, 'tag ids are unique');
  t.ok(plan.tags.every((tag) => /^T[0-9A-F]{8}$/.test(tag.tag) && ids.has(tag.station)), 'tags are T + 8 hex digits with a home station');
  t.ok(plan.teams.every((team) => ids.has(team.trackerId)), 'every team has its tracker in the plan');
});

t.test('bad options are refused with the value', async (t) => {
  t.throws(() => generateVillage({ scale: 0 }), /scale must be > 0/);
  t.throws(() => generateVillage({ site: 'Bad Site' }), /site must match/);
  t.throws(() => generateVillage({ widthM: 100 }), /400 m – 20 km/);
});
