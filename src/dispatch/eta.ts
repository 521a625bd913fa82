import type { LonLat } from '../site/site.js';
import type { RoadGraph, RoadSnap } from './road-graph.js';
import { shortestTimes, type Seed, type ShortestTimes } from './shortest-times.js';

export interface Position {
  lon: number;
  lat: number;
}

export interface TeamPosition extends Position {
  id: string;
}

export interface EtaOptions {
  /**
   * Speed over the gap between a position and its road (a team 300 m inside a
   * compound, a fire at the back of a factory). Slow on purpose, so a team
   * next to a road it cannot use quickly does not look close.
   */
  offRoadSpeedKmh?: number;
}

export const DEFAULT_OFF_ROAD_SPEED_KMH = 10;

export interface TeamEta {
  teamId: string;
  /** Infinity when no road route reaches the incident. */
  etaSeconds: number;
  /** Metres along the route, off-road legs included; Infinity when unreachable. */
  distanceM: number;
  /** From the team's position to the incident's, through both road snaps; empty when unreachable. */
  route: LonLat[];
  snap: RoadSnap | undefined;
}

export interface IncidentEtas {
  incident: RoadSnap | undefined;
  teams: TeamEta[];
}

/**
 * Every team's road ETA to one incident from a single search outward from
 * the incident over reversed arcs (teams drive TO it, so one-way streets
 * count in the teams' direction). Positions are snapped onto segments; the
 * partial segments at both ends are driven only in allowed directions, and a
 * team on the incident's own segment may also drive straight to it. U-turns
 * happen at nodes, never in mid-segment.
 */
export function etasToIncident(graph: RoadGraph, incident: Position, teams: readonly TeamPosition[], options: EtaOptions = {}): IncidentEtas {
  const offRoadMetresPerSecond = (options.offRoadSpeedKmh ?? DEFAULT_OFF_ROAD_SPEED_KMH) / 3.6;
  const target = graph.snap(incident.lon, incident.lat);
  const snaps = teams.map((team) => graph.snap(team.lon, team.lat));
  if (!target) return { incident: undefined, teams: teams.map((team, i) => unreachable(team.id, snaps[i])) };

  const seeds: Seed[] = [];
  for (const [node, end] of [[graph.segFrom[target.segment] as number, 0], [graph.segTo[target.segment] as number, 1]] as const) {
    const seconds = graph.secondsAlong(target.segment, end, target.fraction);
    if (seconds < Infinity) seeds.push({ node, seconds });
  }
  const untilSettled = snaps.flatMap((snap) => (snap ? [graph.segFrom[snap.segment] as number, graph.segTo[snap.segment] as number] : []));
  const times = shortestTimes(graph, 'toSeeds', seeds, { untilSettled });

  const incidentOffRoadSeconds = target.offRoadM / offRoadMetresPerSecond;
  return {
    incident: target,
    teams: teams.map((team, i) => {
      const snap = snaps[i];
      if (!snap) return unreachable(team.id, snap);
      const leg = bestLeg(graph, times, snap, target);
      if (leg.seconds === Infinity) return unreachable(team.id, snap);
      const route = routeOf(graph, times, team, snap, leg, target, incident);
      return {
        teamId: team.id,
        etaSeconds: snap.offRoadM / offRoadMetresPerSecond + leg.seconds + incidentOffRoadSeconds,
        distanceM: snap.offRoadM + leg.roadM + target.offRoadM,
        route,
        snap,
      };
    }),
  };
}

function unreachable(teamId: string, snap: RoadSnap | undefined): TeamEta {
  return { teamId, etaSeconds: Infinity, distanceM: Infinity, route: [], snap };
}

/** How a team leaves its own segment: through one of its nodes, or straight along the incident's segment. */
interface Leg {
  seconds: number;
  /** -1 for the straight drive along a shared segment. */
  exitNode: number;
  roadM: number;
}

function bestLeg(graph: RoadGraph, times: ShortestTimes, team: RoadSnap, target: RoadSnap): Leg {
  let best: Leg = { seconds: Infinity, exitNode: -1, roadM: Infinity };
  const length = graph.segLengthM[team.segment] as number;
  if (team.segment === target.segment) {
    const seconds = graph.secondsAlong(team.segment, team.fraction, target.fraction);
    best = { seconds, exitNode: -1, roadM: Math.abs(target.fraction - team.fraction) * length };
  }
  for (const [node, end] of [[graph.segFrom[team.segment] as number, 0], [graph.segTo[team.segment] as number, 1]] as const) {
    const seconds = graph.secondsAlong(team.segment, team.fraction, end) + (times.seconds[node] as number);
    if (seconds < best.seconds) best = { seconds, exitNode: node, roadM: Math.abs(end - team.fraction) * length };
  }
  if (best.exitNode >= 0) best.roadM += roadMetresToIncident(graph, times, best.exitNode, target);
  return best;
}

/** Follows the predecessor chain from a node to the seed it reached, then the partial segment to the incident. */
function roadMetresToIncident(graph: RoadGraph, times: ShortestTimes, from: number, target: RoadSnap): number {
  let metres = 0;
  let node = from;
  while ((times.viaNode[node] as number) >= 0) {
    metres += graph.segLengthM[times.viaSegment[node] as number] as number;
    node = times.viaNode[node] as number;
  }
  const seedEnd = node === graph.segFrom[target.segment] ? 0 : 1;
  return metres + Math.abs(target.fraction - seedEnd) * (graph.segLengthM[target.segment] as number);
}

function routeOf(graph: RoadGraph, times: ShortestTimes, team: Position, snap: RoadSnap, leg: Leg, target: RoadSnap, incident: Position): LonLat[] {
  const route: LonLat[] = [];
  const add = (point: LonLat) => {
    const last = route[route.length - 1];
    if (!last || last[0] !== point[0] || last[1] !== point[1]) route.push(point);
  };
  add([team.lon, team.lat]);
  add([snap.lon, snap.lat]);
  if (leg.exitNode >= 0) {
    let node = leg.exitNode;
    add(graph.nodePosition(node));
    while ((times.viaNode[node] as number) >= 0) {
      node = times.viaNode[node] as number;
      add(graph.nodePosition(node));
    }
  }
  add([target.lon, target.lat]);
  add([incident.lon, incident.lat]);
  return route;
}
