import { tagIdOf } from '../../devices/index.js';
import type { LocalProjection } from '../../src/site/geo.js';
import { chineseNumber, idNumber, personName, phoneNumber } from './names.js';
import { KIND_MODELS, type LockPlan, type PlannedDevice, type Stranger, type StolenTag, type TagPlan, type TeamPlan } from './plan.js';
import type { PlacePoint } from './places.js';
import type { Random } from './random.js';
import type { Point, RoadNetwork } from './roads.js';
import { zoneOf, type ZoneCell } from './zones.js';

/** Device counts of the full-size village; `scale` multiplies them. */
export const FULL_SCALE = {
  cameras: 3200,
  rooms: 3800,
  stations: 60,
  tags: 20_000,
  factories: 800,
  homes: 1200,
  teams: 12,
  strangers: 40,
} as const;

/** Smallest useful village: enough for a correlation (two detectors, three cameras in a zone) and an escalation (two teams). */
const MINIMUM = { cameras: 4, rooms: 4, stations: 2, tags: 50, factories: 2, homes: 2, teams: 3, strangers: 4 } as const;

export type Counts = { -readonly [K in keyof typeof FULL_SCALE]: number };

export function countsAt(scale: number): Counts {
  const counts = {} as Counts;
  for (const key of Object.keys(FULL_SCALE) as (keyof Counts)[]) counts[key] = Math.max(MINIMUM[key], Math.round(FULL_SCALE[key] * scale));
  return counts;
}

/** Rooms per rental building (2–5 floors of 2–4 rooms) until the room count is reached. */
export function rentalBuildings(random: Random, rooms: number): number[] {
  const sizes: number[] = [];
  let total = 0;
  while (total < rooms) {
    const size = Math.min(rooms - total, random.int(2, 5) * random.int(2, 4));
    sizes.push(size);
    total += size;
  }
  return sizes;
}

export interface DevicePlanInput {
  random: Random;
  roads: RoadNetwork;
  zones: readonly ZoneCell[];
  places: readonly PlacePoint[];
  roomsPerBuilding: readonly number[];
  counts: Counts;
  projection: LocalProjection;
}

export interface DevicePlanOutput {
  devices: PlannedDevice[];
  teams: TeamPlan[];
  tags: TagPlan[];
  stolenTags: StolenTag[];
  strangers: Stranger[];
}

export function planDevices(input: DevicePlanInput): DevicePlanOutput {
  const { random, roads, zones, places, counts, projection } = input;
  const at = (p: Point) => ({ lon: round7(projection.lon(p.x)), lat: round7(projection.lat(p.y)) });
  const near = (p: Point, min: number, max: number): Point => {
    const angle = random.range(0, 2 * Math.PI);
    const r = random.range(min, max);
    return { x: p.x + r * Math.cos(angle), y: p.y + r * Math.sin(angle) };
  };
  const devices: PlannedDevice[] = [];

  // Fire detectors: 4–6 per factory, a few metres from the factory's point.
  const factories = places.filter((p) => p.type === 'factory');
  factories.forEach((factory, f) => {
    const detectors = random.int(4, 6);
    const heatFirst = random.chance(0.3);
    for (let d = 0; d < detectors; d++) {
      const sensor = d === 0 && heatFirst ? 'heat' : random.chance(0.15) ? 'combined' : 'smoke';
      const spot = near(factory, 3, 10);
      const zone = zoneOf(zones, spot);
      devices.push({
        kind: 'fire',
        id: `fd-${pad(f + 1, 4)}-${String.fromCharCode(97 + d)}`,
        model: KIND_MODELS.fire,
        name: `${factory.name} ${d + 1}号探测器`,
        ...at(spot),
        zone: zone.id,
        zoneName: zone.name,
        place: factory.id,
        placeName: factory.name,
        sensor,
      });
    }
  });

  // Door locks: one per rental room; 1–3 tenants each, each with the card of their resident ID.
  const rentals = places.filter((p) => p.type === 'rental');
  rentals.forEach((building, b) => {
    const rooms = input.roomsPerBuilding[b] ?? 0;
    const perFloor = Math.max(2, Math.ceil(rooms / random.int(2, 5)));
    for (let r = 0; r < rooms; r++) {
      const room = `${b + 1}-${Math.floor(r / perFloor) + 1}${pad((r % perFloor) + 1, 2)}`;
      const spot = near(building, 1, 6);
      const zone = zoneOf(zones, spot);
      const tenants = Array.from({ length: 1 + random.weighted([0.45, 0.4, 0.15]) }, () => ({ name: personName(random), card: idNumber(random) }));
      const lock: LockPlan = {
        kind: 'lock',
        id: `lk-${room}`,
        model: KIND_MODELS.lock,
        name: `${building.name} ${room.split('-')[1]}室`,
        ...at(spot),
        zone: zone.id,
        zoneName: zone.name,
        place: building.id,
        placeName: building.name,
        room,
        tenants,
      };
      devices.push(lock);
    }
  });

  // Cameras: at junctions, along roads, and at the gates of factories and rental buildings.
  const junctions = roads.nodes.map((_, i) => i).filter((i) => degreeOf(roads, i) >= 3);
  const gated = places.filter((p) => p.type === 'factory' || p.type === 'rental' || p.type === 'school' || p.type === 'market');
  for (let c = 0; c < counts.cameras; c++) {
    const where = random.weighted([0.4, 0.35, 0.25]);
    let spot: Point;
    let place: PlacePoint | undefined;
    if (where === 0 && junctions.length > 0) spot = near(roads.nodes[random.pick(junctions)]!, 4, 8);
    else if (where === 2 && gated.length > 0) {
      place = random.pick(gated);
      spot = near(place, 8, 14);
    } else spot = near(pointOnEdge(random, roads), 2, 4);
    const zone = zoneOf(zones, spot);
    devices.push({
      kind: 'camera',
      id: `cam-${pad(c + 1, 4)}`,
      model: KIND_MODELS.camera,
      name: place ? `${place.name}门口监控` : `${zone.name}监控${c + 1}`,
      ...at(spot),
      zone: zone.id,
      zoneName: zone.name,
      ...(place ? { place: place.id, placeName: place.name } : {}),
    });
  }

  // E-bike tag stations: on main and secondary roads, spread apart (farthest-point sampling).
  const roadNodes = [...new Set(roads.named.flatMap((road) => road.nodes))];
  const stationNodes = centroidal(random, roads.nodes, roadNodes.length > 0 ? roadNodes : roads.nodes.map((_, i) => i), counts.stations);
  const stationIds: string[] = [];
  const stationPoints: Point[] = [];
  stationNodes.forEach((node, s) => {
    const spot = near(roads.nodes[node]!, 2, 4);
    const id = `ebs-${pad(s + 1, 2)}`;
    const road = roads.named.find((r) => r.nodes.includes(node));
    const zone = zoneOf(zones, spot);
    stationIds.push(id);
    stationPoints.push(spot);
    devices.push({ kind: 'ebike-station', id, model: KIND_MODELS['ebike-station'], name: `${road?.name ?? zone.name}防盗基站${s + 1}号`, ...at(spot), zone: zone.id, zoneName: zone.name });
  });

  // Patrol teams: bases spread over the whole network, each tracker starting at its base.
  const teams: TeamPlan[] = [];
  const allNodes = roads.nodes.map((_, i) => i);
  centroidal(random, roads.nodes, allNodes, counts.teams).forEach((node, t) => {
    const base = roads.nodes[node]!;
    const id = `team-${pad(t + 1, 2)}`;
    const trackerId = `trk-${pad(t + 1, 2)}`;
    const position = at(base);
    teams.push({ id, name: `巡防${chineseNumber(t + 1)}队`, trackerId, base: [position.lon, position.lat] });
    const zone = zoneOf(zones, base);
    devices.push({ kind: 'team', id: trackerId, model: KIND_MODELS.team, name: `巡防${chineseNumber(t + 1)}队定位器`, ...position, zone: zone.id, zoneName: zone.name, teamId: id });
  });

  // E-bike tags: each bike lives near a home and is read mostly by the station nearest to it.
  const homes = places.filter((p) => p.type === 'home' || p.type === 'rental');
  const numbers = new Set<number>();
  const tags: TagPlan[] = [];
  for (let k = 0; k < counts.tags; k++) {
    let number = random.int(0x1000_0000, 0xffff_ffff);
    for (let retry = 0; numbers.has(number) && retry < 16; retry++) number = random.int(0x1000_0000, 0xffff_ffff);
    if (numbers.has(number)) continue;
    numbers.add(number);
    const home = homes.length > 0 ? random.pick(homes) : undefined;
    const station = home && stationPoints.length > 0 ? stationIds[nearestIndex(stationPoints, home)]! : random.pick(stationIds);
    tags.push({ tag: tagIdOf(number), station });
  }
  const stolenCount = Math.max(2, Math.round(tags.length * 0.005));
  const stolenTags = random
    .shuffle(tags.map((t) => t.tag))
    .slice(0, stolenCount)
    .map((tag) => ({ tag, ownerName: personName(random), ownerContact: phoneNumber(random) }));

  // People with no room in the village; some are on the blacklist (a police notice, an evicted tenant).
  const reasons = ['公安协查通报', '涉嫌盗窃电动车', '已退租未交卡', '房东要求禁止入内'];
  const strangers = Array.from({ length: counts.strangers }, (_, k): Stranger => {
    const blacklisted = k < Math.max(1, Math.round(counts.strangers * 0.3));
    return { card: idNumber(random), blacklisted, ...(blacklisted ? { reason: random.pick(reasons) } : {}) };
  });

  return { devices, teams, tags, stolenTags, strangers };
}

function degreeOf(roads: RoadNetwork, node: number): number {
  let degree = 0;
  for (const edge of roads.edges) if (edge.a === node || edge.b === node) degree += 1;
  return degree;
}

function pointOnEdge(random: Random, roads: RoadNetwork): Point {
  const edge = random.pick(roads.edges);
  const a = roads.nodes[edge.a]!;
  const b = roads.nodes[edge.b]!;
  const t = random.range(0.1, 0.9);
  return { x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) };
}

function nearestIndex(points: readonly Point[], p: Point): number {
  let best = 0;
  let bestD = Infinity;
  points.forEach((q, i) => {
    const d = (q.x - p.x) ** 2 + (q.y - p.y) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

/**
 * `count` candidates spread evenly: farthest-point sampling to start, then a
 * few rounds of k-means (each pick moves to the middle of the candidates
 * nearest to it). Farthest-point alone favours the corners, where a patrol
 * base covers least.
 */
function centroidal(random: Random, points: readonly Point[], candidates: readonly number[], count: number): number[] {
  const picks = spread(random, points, candidates, count);
  for (let round = 0; round < 12; round++) {
    const sums = picks.map(() => ({ x: 0, y: 0, n: 0 }));
    for (const c of candidates) {
      const k = nearestIndex(picks.map((p) => points[p]!), points[c]!);
      const sum = sums[k]!;
      sum.x += points[c]!.x;
      sum.y += points[c]!.y;
      sum.n += 1;
    }
    const taken = new Set<number>();
    sums.forEach((sum, k) => {
      if (sum.n === 0) return;
      const centre = { x: sum.x / sum.n, y: sum.y / sum.n };
      const free = candidates.filter((c) => !taken.has(c));
      const node = free[nearestIndex(free.map((c) => points[c]!), centre)]!;
      taken.add(node);
      picks[k] = node;
    });
  }
  return picks;
}

/** Farthest-point sampling: each next pick is the candidate farthest from all picked so far. */
function spread(random: Random, points: readonly Point[], candidates: readonly number[], count: number): number[] {
  if (candidates.length === 0) return [];
  const picked = [random.pick(candidates)];
  const distance = candidates.map((c) => dist2(points[c]!, points[picked[0]!]!));
  while (picked.length < Math.min(count, candidates.length)) {
    let best = 0;
    distance.forEach((d, k) => {
      if (d > (distance[best] as number)) best = k;
    });
    const node = candidates[best]!;
    picked.push(node);
    candidates.forEach((c, k) => {
      distance[k] = Math.min(distance[k] as number, dist2(points[c]!, points[node]!));
    });
  }
  return picked;
}

function dist2(p: Point, q: Point): number {
  return (p.x - q.x) ** 2 + (p.y - q.y) ** 2;
}

export function round7(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
