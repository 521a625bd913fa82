import { NodeHeap } from './node-heap.js';
import type { RoadGraph } from './road-graph.js';

/** A start of the search: a node already `seconds` away from the source. */
export interface Seed {
  node: number;
  seconds: number;
}

/**
 * `toSeeds` follows arcs backwards, giving each node's time TO the nearest
 * seed (teams driving to an incident); `fromSeeds` follows them forwards,
 * giving time FROM the nearest seed (teams driving out). On a one-way street
 * the two differ, which is why both exist.
 */
export type SearchDirection = 'toSeeds' | 'fromSeeds';

export interface SearchLimits {
  /** Stop once all these nodes are settled; other nodes' times are then only upper bounds. */
  untilSettled?: readonly number[];
  /** Stop once the nearest unsettled node is farther than this; farther nodes keep upper bounds. */
  maxSeconds?: number;
}

export interface ShortestTimes {
  seconds: Float64Array;
  /** The neighbour on the best route: next node towards the seed (`toSeeds`) or previous node from it (`fromSeeds`); -1 at seeds. */
  viaNode: Int32Array;
  /** The segment between a node and its `viaNode`. */
  viaSegment: Int32Array;
}

/** Dijkstra from several seeds at once over the road graph. */
export function shortestTimes(graph: RoadGraph, direction: SearchDirection, seeds: readonly Seed[], limits: SearchLimits = {}): ShortestTimes {
  const n = graph.nodeCount;
  const seconds = new Float64Array(n).fill(Infinity);
  const viaNode = new Int32Array(n).fill(-1);
  const viaSegment = new Int32Array(n).fill(-1);
  const heap = new NodeHeap(n, seconds);
  for (const seed of seeds) {
    if (seed.seconds < (seconds[seed.node] as number)) {
      seconds[seed.node] = seed.seconds;
      heap.pushOrDecrease(seed.node);
    }
  }

  const isTarget = new Uint8Array(limits.untilSettled ? n : 0);
  let targetsLeft = 0;
  for (const node of limits.untilSettled ?? []) {
    if (isTarget[node] === 0) {
      isTarget[node] = 1;
      targetsLeft += 1;
    }
  }
  const stopEarly = limits.untilSettled !== undefined;
  const maxSeconds = limits.maxSeconds ?? Infinity;

  const start = direction === 'toSeeds' ? graph.inStart : graph.outStart;
  const neighbour = direction === 'toSeeds' ? graph.inNode : graph.outNode;
  const arcSegment = direction === 'toSeeds' ? graph.inSegment : graph.outSegment;
  const arcSeconds = direction === 'toSeeds' ? graph.inSeconds : graph.outSeconds;

  while (!heap.isEmpty) {
    const u = heap.pop();
    const su = seconds[u] as number;
    if (su > maxSeconds) break;
    if (stopEarly && isTarget[u] === 1) {
      targetsLeft -= 1;
      if (targetsLeft === 0) break;
    }
    const end = start[u + 1] as number;
    for (let arc = start[u] as number; arc < end; arc++) {
      const v = neighbour[arc] as number;
      const sv = su + (arcSeconds[arc] as number);
      if (sv < (seconds[v] as number)) {
        seconds[v] = sv;
        viaNode[v] = u;
        viaSegment[v] = arcSegment[arc] as number;
        heap.pushOrDecrease(v);
      }
    }
  }
  return { seconds, viaNode, viaSegment };
}
