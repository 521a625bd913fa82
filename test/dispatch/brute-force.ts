import type { Road } from '../../src/site/site.js';

/**
 * An independent, deliberately naive answer to "how long from this team to
 * this incident by road", sharing no code with src/dispatch: its own node
 * table (exact coordinates), its own geometry, snapping by trying every
 * segment, and Bellman-Ford over arcs with the team and the incident added as
 * two extra nodes joined to the ends of their segments by the partial pieces.
 * Driving rules it encodes: roads are driven only in allowed directions,
 * including the partial pieces; U-turns only at nodes; the gap between a
 * position and its road is covered at the off-road speed.
 */

const R = 6_371_008.8;
const toRad = (degrees: number) => (degrees * Math.PI) / 180;

function greatCircleM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const a = Math.sin(toRad(lat2 - lat1) / 2) ** 2 + Math.cos(toRad(lat1)) * Math.cos(toRad(lat2)) * Math.sin(toRad(lon2 - lon1) / 2) ** 2;
  return 2 * R * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
}

interface Piece {
  a: number;
  b: number;
  seconds: number;
  forward: boolean;
  backward: boolean;
}

export class BruteForceRoads {
  private readonly nodes: [number, number][] = [];
  private readonly pieces: Piece[] = [];

  constructor(roads: readonly Road[]) {
    const index = new Map<string, number>();
    const nodeOf = (lon: number, lat: number) => {
      const key = `${lon}|${lat}`;
      let node = index.get(key);
      if (node === undefined) {
        node = this.nodes.length;
        this.nodes.push([lon, lat]);
        index.set(key, node);
      }
      return node;
    };
    for (const road of roads) {
      for (const line of road.lines) {
        for (let k = 1; k < line.length; k++) {
          const [lon1, lat1] = line[k - 1] as readonly [number, number];
          const [lon2, lat2] = line[k] as readonly [number, number];
          if (lon1 === lon2 && lat1 === lat2) continue;
          this.pieces.push({
            a: nodeOf(lon1, lat1),
            b: nodeOf(lon2, lat2),
            seconds: greatCircleM(lon1, lat1, lon2, lat2) / (road.speedKmh / 3.6),
            forward: road.travel !== 'backward',
            backward: road.travel !== 'forward',
          });
        }
      }
    }
  }

  /** Nearest point of any piece, measured flat around the position itself. */
  private snap(lon: number, lat: number): { piece: number; t: number; gapM: number } {
    const kx = R * toRad(1) * Math.cos(toRad(lat));
    const ky = R * toRad(1);
    let best = { piece: -1, t: 0, gapM: Infinity };
    this.pieces.forEach((piece, i) => {
      const [aLon, aLat] = this.nodes[piece.a] as [number, number];
      const [bLon, bLat] = this.nodes[piece.b] as [number, number];
      const ax = (aLon - lon) * kx;
      const ay = (aLat - lat) * ky;
      const bx = (bLon - lon) * kx;
      const by = (bLat - lat) * ky;
      const t = Math.max(0, Math.min(1, -(ax * (bx - ax) + ay * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
      const gapM = Math.hypot(ax + t * (bx - ax), ay + t * (by - ay));
      if (gapM < best.gapM) best = { piece: i, t, gapM };
    });
    return best;
  }

  secondsFromTo(from: { lon: number; lat: number }, to: { lon: number; lat: number }, offRoadKmh: number): number {
    const n = this.nodes.length;
    const team = n;
    const incident = n + 1;
    const arcs: [number, number, number][] = [];
    for (const piece of this.pieces) {
      if (piece.forward) arcs.push([piece.a, piece.b, piece.seconds]);
      if (piece.backward) arcs.push([piece.b, piece.a, piece.seconds]);
    }
    const start = this.snap(from.lon, from.lat);
    const end = this.snap(to.lon, to.lat);
    const s = this.pieces[start.piece] as Piece;
    const e = this.pieces[end.piece] as Piece;
    // Leaving the team's piece: towards `a` runs against the piece, towards `b` along it; zero distance is always allowed.
    if (s.backward || start.t === 0) arcs.push([team, s.a, start.t * s.seconds]);
    if (s.forward || start.t === 1) arcs.push([team, s.b, (1 - start.t) * s.seconds]);
    // Arriving on the incident's piece: from `a` runs along it, from `b` against it.
    if (e.forward || end.t === 0) arcs.push([e.a, incident, end.t * e.seconds]);
    if (e.backward || end.t === 1) arcs.push([e.b, incident, (1 - end.t) * e.seconds]);
    if (start.piece === end.piece) {
      const allowed = start.t === end.t || (end.t > start.t ? s.forward : s.backward);
      if (allowed) arcs.push([team, incident, Math.abs(end.t - start.t) * s.seconds]);
    }

    const best = new Array<number>(n + 2).fill(Infinity);
    best[team] = 0;
    for (let round = 0; round < n + 1; round++) {
      let changed = false;
      for (const [u, v, seconds] of arcs) {
        const via = (best[u] as number) + seconds;
        if (via < (best[v] as number)) {
          best[v] = via;
          changed = true;
        }
      }
      if (!changed) break;
    }
    const offRoadMps = offRoadKmh / 3.6;
    return (best[incident] as number) + start.gapM / offRoadMps + end.gapM / offRoadMps;
  }
}
