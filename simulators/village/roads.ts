import type { RoadClass } from '../../src/site/road-classes.js';
import type { Random } from './random.js';

/**
 * The road network in metres around the village centre (x east, y north):
 * a jittered, gently warped grid of junctions, a few straight-ish main and
 * secondary roads through it, one main road cutting diagonally, lanes with
 * gaps (dead ends), short cul-de-sacs into blocks, and one-way lanes chosen
 * so that every junction can still reach every other.
 */

export interface Point {
  x: number;
  y: number;
}

export type OneWay = 'no' | 'yes' | '-1';

export interface RoadEdge {
  a: number;
  b: number;
  roadClass: RoadClass;
  /** Relative to a → b. */
  oneway: OneWay;
  /** Index into `named`, or -1 for a lane of its own. */
  named: number;
  /** An explicit speed for a narrow lane; the class default otherwise. */
  speedKmh?: number;
  spur: boolean;
}

export interface NamedRoad {
  name: string;
  roadClass: RoadClass;
  /** Junctions in driving order; consecutive ones are joined by edges of this road. */
  nodes: number[];
}

export interface RoadNetwork {
  nodes: Point[];
  edges: RoadEdge[];
  named: NamedRoad[];
  widthM: number;
  heightM: number;
}

export interface RoadOptions {
  widthM: number;
  heightM: number;
  /** Distance between neighbouring junctions before jitter. */
  spacingM?: number;
  /** Share of lanes that are one-way (of those that can be without cutting anything off). */
  onewayShare?: number;
}

const MAIN_NAMES = ['兴业路', '工业大道', '振兴路', '建设路', '人民路', '新华路', '文化路', '环村北路', '环村南路', '通港路', '富民路', '育才路'];
const SECONDARY_NAMES = ['东河路', '西塘路', '南庄路', '北沙路', '长安路', '永丰路', '金桥路', '湖滨路', '车站路', '民主路', '和平路', '创业路', '丰收路', '前进路'];

export function generateRoads(random: Random, options: RoadOptions): RoadNetwork {
  const spacing = options.spacingM ?? 130;
  const cols = Math.max(3, Math.round(options.widthM / spacing)) + 1;
  const rows = Math.max(3, Math.round(options.heightM / spacing)) + 1;
  const stepX = options.widthM / (cols - 1);
  const stepY = options.heightM / (rows - 1);
  const id = (i: number, j: number) => j * cols + i;

  const mainRows = pickLines(random, rows, Math.max(1, Math.round(options.heightM / 1000)), new Set());
  const mainCols = pickLines(random, cols, Math.max(1, Math.round(options.widthM / 1000)), new Set());
  const secondaryRows = pickLines(random, rows, Math.max(1, Math.round(options.heightM / 800)), mainRows);
  const secondaryCols = pickLines(random, cols, Math.max(1, Math.round(options.widthM / 800)), mainCols);
  const straightRow = (j: number) => mainRows.has(j) || secondaryRows.has(j);
  const straightCol = (i: number) => mainCols.has(i) || secondaryCols.has(i);

  // A low, long wave bends the whole grid: villages follow old field borders and canals, not a ruler.
  const waveAmplitude = Math.min(stepX, stepY) * 0.3;
  const wavePhase = random.range(0, 2 * Math.PI);
  const nodes: Point[] = [];
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const free = 0.22;
      const jx = (straightCol(i) ? 0.04 : free) * stepX;
      const jy = (straightRow(j) ? 0.04 : free) * stepY;
      const edgeX = i === 0 || i === cols - 1 ? 0 : 1;
      const edgeY = j === 0 || j === rows - 1 ? 0 : 1;
      const x = -options.widthM / 2 + i * stepX + edgeX * random.range(-jx, jx);
      const y = -options.heightM / 2 + j * stepY + edgeY * random.range(-jy, jy) + edgeY * waveAmplitude * Math.sin(x / 900 + wavePhase);
      nodes.push({ x, y });
    }
  }

  const edges: RoadEdge[] = [];
  const named: NamedRoad[] = [];
  const mainNames = random.shuffle([...MAIN_NAMES]);
  const secondaryNames = random.shuffle([...SECONDARY_NAMES]);
  const nameOf = (roadClass: RoadClass, k: number) => {
    const list = roadClass === 'main' ? mainNames : secondaryNames;
    return list[k % list.length]! + (k >= list.length ? `${Math.floor(k / list.length) + 1}段` : '');
  };
  const addNamed = (roadClass: RoadClass, path: number[]) => {
    const index = named.length;
    named.push({ name: nameOf(roadClass, named.filter((r) => r.roadClass === roadClass).length), roadClass, nodes: path });
    for (let k = 1; k < path.length; k++) edges.push({ a: path[k - 1]!, b: path[k]!, roadClass, oneway: 'no', named: index, spur: false });
  };
  for (let j = 0; j < rows; j++) {
    if (straightRow(j)) addNamed(mainRows.has(j) ? 'main' : 'secondary', Array.from({ length: cols }, (_, i) => id(i, j)));
  }
  for (let i = 0; i < cols; i++) {
    if (straightCol(i)) addNamed(mainCols.has(i) ? 'main' : 'secondary', Array.from({ length: rows }, (_, j) => id(i, j)));
  }

  // One main road cuts across diagonally from the south-west; each cell it crosses holds no other diagonal.
  const diagonalCells = new Set<number>();
  const startRow = random.int(0, Math.max(0, Math.floor(rows / 3)));
  const diagonal: number[] = [];
  for (let i = 0, j = startRow; i < cols && j < rows; i++, j++) {
    diagonal.push(id(i, j));
    if (i < cols - 1 && j < rows - 1) diagonalCells.add(id(i, j));
  }
  if (diagonal.length >= 3) addNamed('main', diagonal);
  else diagonalCells.clear();

  const lanes: RoadEdge[] = [];
  const lane = (a: number, b: number, spur = false): RoadEdge => {
    const edge: RoadEdge = { a, b, roadClass: 'lane', oneway: 'no', named: -1, spur };
    // Some lanes are narrower than the class default: a car-width alley between old houses.
    if (random.chance(0.1)) edge.speedKmh = random.int(10, 20);
    return edge;
  };
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      if (i < cols - 1 && !straightRow(j)) lanes.push(lane(id(i, j), id(i + 1, j)));
      if (j < rows - 1 && !straightCol(i)) lanes.push(lane(id(i, j), id(i, j + 1)));
      if (i < cols - 1 && j < rows - 1 && !diagonalCells.has(id(i, j)) && random.chance(0.06)) {
        diagonalCells.add(id(i, j));
        lanes.push(random.chance(0.5) ? lane(id(i, j), id(i + 1, j + 1)) : lane(id(i + 1, j), id(i, j + 1)));
      }
    }
  }

  const kept = removeSomeLanes(random, nodes.length, edges, lanes, 0.14);
  edges.push(...kept);

  // Cul-de-sacs: short dead-end lanes from a junction into the block.
  for (let j = 0; j < rows - 1; j++) {
    for (let i = 0; i < cols - 1; i++) {
      if (diagonalCells.has(id(i, j)) || !random.chance(0.08)) continue;
      const corners = [id(i, j), id(i + 1, j), id(i + 1, j + 1), id(i, j + 1)];
      const centre = { x: corners.reduce((s, c) => s + nodes[c]!.x, 0) / 4, y: corners.reduce((s, c) => s + nodes[c]!.y, 0) / 4 };
      const from = random.pick(corners);
      const share = random.range(0.35, 0.6);
      nodes.push({ x: nodes[from]!.x + share * (centre.x - nodes[from]!.x), y: nodes[from]!.y + share * (centre.y - nodes[from]!.y) });
      edges.push(lane(from, nodes.length - 1, true));
    }
  }

  makeSomeOneWay(random, nodes.length, edges, options.onewayShare ?? 0.1);
  return { nodes, edges, named, widthM: options.widthM, heightM: options.heightM };
}

/** `count` distinct line indices spread over 1 … n-2 (the border lines stay lanes), avoiding `taken` and their neighbours. */
function pickLines(random: Random, n: number, count: number, taken: ReadonlySet<number>): Set<number> {
  const chosen = new Set<number>();
  for (let k = 0; k < count; k++) {
    const ideal = Math.round(((k + 0.5) * (n - 1)) / count);
    for (let attempt = 0; attempt < 8; attempt++) {
      const candidate = Math.min(n - 2, Math.max(1, ideal + random.int(-1, 1) + (attempt > 3 ? random.int(-2, 2) : 0)));
      const clash = [candidate - 1, candidate, candidate + 1].some((c) => taken.has(c) || chosen.has(c));
      if (!clash) {
        chosen.add(candidate);
        break;
      }
    }
  }
  return chosen;
}

/** Drops a share of lanes, each only if its two ends stay connected some other way: gaps and dead ends, never islands. */
function removeSomeLanes(random: Random, nodeCount: number, fixed: readonly RoadEdge[], lanes: RoadEdge[], share: number): RoadEdge[] {
  const alive = new Set<RoadEdge>([...fixed, ...lanes]);
  const target = Math.round(lanes.length * share);
  let removed = 0;
  for (const edge of random.shuffle([...lanes])) {
    if (removed >= target) break;
    alive.delete(edge);
    if (connected(nodeCount, alive, edge.a, edge.b)) removed += 1;
    else alive.add(edge);
  }
  return lanes.filter((edge) => alive.has(edge));
}

function connected(nodeCount: number, edges: Iterable<RoadEdge>, from: number, to: number): boolean {
  const adjacency = undirectedAdjacency(nodeCount, edges);
  const seen = new Uint8Array(nodeCount);
  const stack = [from];
  seen[from] = 1;
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === to) return true;
    for (const next of adjacency[node]!) {
      if (!seen[next]) {
        seen[next] = 1;
        stack.push(next);
      }
    }
  }
  return false;
}

function undirectedAdjacency(nodeCount: number, edges: Iterable<RoadEdge>): number[][] {
  const adjacency: number[][] = Array.from({ length: nodeCount }, () => []);
  for (const edge of edges) {
    adjacency[edge.a]!.push(edge.b);
    adjacency[edge.b]!.push(edge.a);
  }
  return adjacency;
}

/** Turns lanes one-way one at a time, keeping each only if every junction still reaches every other (strongly connected). */
function makeSomeOneWay(random: Random, nodeCount: number, edges: RoadEdge[], share: number): void {
  const degree = new Int32Array(nodeCount);
  for (const edge of edges) {
    degree[edge.a] = (degree[edge.a] as number) + 1;
    degree[edge.b] = (degree[edge.b] as number) + 1;
  }
  const candidates = edges.filter((e) => e.roadClass === 'lane' && !e.spur && (degree[e.a] as number) > 1 && (degree[e.b] as number) > 1);
  const target = Math.round(candidates.length * share);
  let made = 0;
  for (const edge of random.shuffle(candidates)) {
    if (made >= target) break;
    edge.oneway = random.chance(0.7) ? 'yes' : '-1';
    if (stronglyConnected(nodeCount, edges)) made += 1;
    else edge.oneway = 'no';
  }
}

export function stronglyConnected(nodeCount: number, edges: readonly RoadEdge[]): boolean {
  const forward: number[][] = Array.from({ length: nodeCount }, () => []);
  const backward: number[][] = Array.from({ length: nodeCount }, () => []);
  for (const edge of edges) {
    if (edge.oneway !== '-1') {
      forward[edge.a]!.push(edge.b);
      backward[edge.b]!.push(edge.a);
    }
    if (edge.oneway !== 'yes') {
      forward[edge.b]!.push(edge.a);
      backward[edge.a]!.push(edge.b);
    }
  }
  return reachesAll(forward, nodeCount) && reachesAll(backward, nodeCount);
}

function reachesAll(adjacency: readonly number[][], nodeCount: number): boolean {
  const seen = new Uint8Array(nodeCount);
  const stack = [0];
  seen[0] = 1;
  let count = 1;
  while (stack.length > 0) {
    for (const next of adjacency[stack.pop()!]!) {
      if (!seen[next]) {
        seen[next] = 1;
        count += 1;
        stack.push(next);
      }
    }
  }
  return count === nodeCount;
}
