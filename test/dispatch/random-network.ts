/**
 * Seeded generator of irregular village road networks for tests and the
 * dispatch benchmark: a jittered grid with some streets removed, some
 * diagonal short-cuts, bends, mixed speeds and classes, about 20% one-way
 * streets (both "yes" and "-1"), and teams scattered around (not always on a
 * road). Output is raw GeoJSON so it goes through the same validation as an
 * operator's file.
 */

/** mulberry32: tiny, fast, and good enough to scatter test data reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomNetworkOptions {
  seed: number;
  columns: number;
  rows: number;
  spacingM?: number;
  teamCount?: number;
  removedShare?: number;
  diagonalShare?: number;
  onewayShare?: number;
  bendShare?: number;
  /** Roads grouped into one MultiLineString feature. */
  multiShare?: number;
  origin?: readonly [number, number];
}

export interface RandomNetwork {
  roads: { type: 'FeatureCollection'; features: unknown[] };
  teams: { id: string; lon: number; lat: number }[];
  incident: { lon: number; lat: number };
  /** Uniform random position over the network's area (and a little beyond). */
  randomPosition(): { lon: number; lat: number };
  random: () => number;
}

const METRES_PER_DEGREE = 111_195;

export function randomNetwork(options: RandomNetworkOptions): RandomNetwork {
  const random = seededRandom(options.seed);
  const spacing = options.spacingM ?? 80;
  const [lon0, lat0] = options.origin ?? [113.93, 22.54];
  const metresPerDegreeLon = METRES_PER_DEGREE * Math.cos((lat0 * Math.PI) / 180);
  const toLonLat = (x: number, y: number): [number, number] => [lon0 + x / metresPerDegreeLon, lat0 + y / METRES_PER_DEGREE];
  const jitter = () => (random() - 0.5) * 0.6 * spacing;

  const { columns, rows } = options;
  const grid: [number, number][][] = [];
  for (let i = 0; i < columns; i++) {
    grid.push([]);
    for (let j = 0; j < rows; j++) grid[i]?.push([i * spacing + jitter(), j * spacing + jitter()]);
  }
  const at = (i: number, j: number) => grid[i]?.[j] as [number, number];

  const pairs: [[number, number], [number, number]][] = [];
  for (let i = 0; i < columns; i++) {
    for (let j = 0; j < rows; j++) {
      if (i + 1 < columns && random() >= (options.removedShare ?? 0.1)) pairs.push([at(i, j), at(i + 1, j)]);
      if (j + 1 < rows && random() >= (options.removedShare ?? 0.1)) pairs.push([at(i, j), at(i, j + 1)]);
      if (i + 1 < columns && j + 1 < rows && random() < (options.diagonalShare ?? 0.15)) {
        pairs.push(random() < 0.5 ? [at(i, j), at(i + 1, j + 1)] : [at(i + 1, j), at(i, j + 1)]);
      }
    }
  }

  const classes = ['main', 'secondary', 'lane', 'path'] as const;
  const onewayShare = options.onewayShare ?? 0.2;
  const roadFeature = (id: string, lines: [number, number][][]) => {
    const properties: Record<string, unknown> = {};
    if (random() < 0.5) properties.speedKmh = Math.round(5 + random() * 45);
    else properties.class = classes[Math.floor(random() * classes.length)];
    const oneway = random();
    if (oneway < onewayShare / 2) properties.oneway = random() < 0.5 ? true : 'yes';
    else if (oneway < onewayShare) properties.oneway = '-1';
    else if (oneway < onewayShare + 0.1) properties.oneway = false;
    const geometry = lines.length === 1 ? { type: 'LineString', coordinates: lines[0] } : { type: 'MultiLineString', coordinates: lines };
    return { type: 'Feature', id, geometry, properties };
  };
  const features: unknown[] = [];
  let pending: [number, number][][] = [];
  let roadNumber = 0;
  for (const [p, q] of pairs) {
    const line: [number, number][] = [toLonLat(p[0], p[1])];
    if (random() < (options.bendShare ?? 0.2)) {
      // A bend off the straight line: a vertex that is a node but not a junction.
      const dx = q[0] - p[0];
      const dy = q[1] - p[1];
      const offset = (random() - 0.5) * 0.4;
      line.push(toLonLat(p[0] + dx / 2 - dy * offset, p[1] + dy / 2 + dx * offset));
    }
    line.push(toLonLat(q[0], q[1]));
    if (random() < 0.5) line.reverse();
    pending.push(line);
    if (pending.length < 2 && random() < (options.multiShare ?? 0.05)) continue;
    features.push(roadFeature(`r-${roadNumber++}`, pending));
    pending = [];
  }
  if (pending.length > 0) features.push(roadFeature(`r-${roadNumber++}`, pending));

  const width = (columns - 1) * spacing;
  const height = (rows - 1) * spacing;
  const randomPosition = () => {
    const [lon, lat] = toLonLat(-spacing / 4 + random() * (width + spacing / 2), -spacing / 4 + random() * (height + spacing / 2));
    return { lon, lat };
  };
  const teams = Array.from({ length: options.teamCount ?? 5 }, (_, k) => ({ id: `team-${k}`, ...randomPosition() }));
  return { roads: { type: 'FeatureCollection', features }, teams, incident: randomPosition(), randomPosition, random };
}
