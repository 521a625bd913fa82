import { haversineM } from '../site/geo.js';
import type { LonLat } from '../site/site.js';
import { DEFAULT_OFF_ROAD_SPEED_KMH, etasToIncident, type Position } from './eta.js';
import type { RoadGraph, RoadSnap } from './road-graph.js';
import { exclusionOf, type EligibilityRules, type ExcludedTeam, type PatrolTeam } from './team-eligibility.js';

export interface DispatchPolicy {
  /** The village's response target: a team on site within three minutes. */
  targetSeconds: number;
  staleAfterMs: number;
  offRoadSpeedKmh: number;
}

export const DEFAULT_DISPATCH_POLICY: DispatchPolicy = {
  targetSeconds: 180,
  // Trackers report every 10–30 s; four missed reports is silence, not jitter.
  staleAfterMs: 120_000,
  offRoadSpeedKmh: DEFAULT_OFF_ROAD_SPEED_KMH,
};

export interface DispatchRequest {
  incident: Position;
  teams: readonly PatrolTeam[];
  /** Epoch ms; injected so the choice is a pure function of its input. */
  now: number;
  /** Teams that declined or timed out on this incident. */
  skipped?: Iterable<string>;
  /** Teams taken by other incidents in this round (see `assignTeams`). */
  alreadyAssigned?: Iterable<string>;
  policy?: Partial<DispatchPolicy>;
}

export interface RankedTeam {
  teamId: string;
  etaSeconds: number;
  distanceM: number;
  /** Team to incident, for the team's phone and the wall map. */
  route: LonLat[];
  straightLineM: number;
}

export interface DispatchChoice {
  /** The team to send, or `undefined` when none can be. */
  best: RankedTeam | undefined;
  /** Dispatchable teams, nearest by road first: the order to try after a skip. */
  ranked: RankedTeam[];
  excluded: ExcludedTeam[];
  targetSeconds: number;
  /** No team can arrive within the target: escalate (second team, brigade). */
  targetAtRisk: boolean;
  incidentSnap: RoadSnap | undefined;
}

function rulesOf(request: DispatchRequest, policy: DispatchPolicy): EligibilityRules {
  return {
    now: request.now,
    staleAfterMs: policy.staleAfterMs,
    skipped: new Set(request.skipped ?? []),
    alreadyAssigned: new Set(request.alreadyAssigned ?? []),
  };
}

function split(request: DispatchRequest, policy: DispatchPolicy): { eligible: PatrolTeam[]; excluded: ExcludedTeam[] } {
  const rules = rulesOf(request, policy);
  const eligible: PatrolTeam[] = [];
  const excluded: ExcludedTeam[] = [];
  for (const team of request.teams) {
    const exclusion = exclusionOf(team, rules);
    if (exclusion) excluded.push(exclusion);
    else eligible.push(team);
  }
  return { eligible, excluded };
}

/** Ranks the dispatchable teams by road ETA to the incident; excluded teams say why. */
export function chooseTeam(graph: RoadGraph, request: DispatchRequest): DispatchChoice {
  const policy = { ...DEFAULT_DISPATCH_POLICY, ...request.policy };
  const { eligible, excluded } = split(request, policy);
  const etas = etasToIncident(graph, request.incident, eligible, { offRoadSpeedKmh: policy.offRoadSpeedKmh });
  const ranked: RankedTeam[] = [];
  etas.teams.forEach((eta, i) => {
    const team = eligible[i] as PatrolTeam;
    if (eta.etaSeconds === Infinity) {
      excluded.push({ teamId: team.id, reason: 'unreachable', detail: 'no road route to the incident (one-way streets or a disconnected road)' });
      return;
    }
    ranked.push({
      teamId: team.id,
      etaSeconds: eta.etaSeconds,
      distanceM: eta.distanceM,
      route: eta.route,
      straightLineM: haversineM(team.lon, team.lat, request.incident.lon, request.incident.lat),
    });
  });
  // Ties broken by id so the same input always dispatches the same team.
  ranked.sort((a, b) => a.etaSeconds - b.etaSeconds || (a.teamId < b.teamId ? -1 : a.teamId > b.teamId ? 1 : 0));
  const best = ranked[0];
  return {
    best,
    ranked,
    excluded,
    targetSeconds: policy.targetSeconds,
    targetAtRisk: best === undefined || best.etaSeconds > policy.targetSeconds,
    incidentSnap: etas.incident,
  };
}

export interface StraightLineChoice {
  best: { teamId: string; straightLineM: number } | undefined;
  ranked: { teamId: string; straightLineM: number }[];
  excluded: ExcludedTeam[];
}

/** The naive baseline road ETA must beat: nearest dispatchable team as the crow flies. */
export function rankByStraightLine(request: DispatchRequest): StraightLineChoice {
  const policy = { ...DEFAULT_DISPATCH_POLICY, ...request.policy };
  const { eligible, excluded } = split(request, policy);
  const ranked = eligible
    .map((team) => ({ teamId: team.id, straightLineM: haversineM(team.lon, team.lat, request.incident.lon, request.incident.lat) }))
    .sort((a, b) => a.straightLineM - b.straightLineM || (a.teamId < b.teamId ? -1 : a.teamId > b.teamId ? 1 : 0));
  return { best: ranked[0], ranked, excluded };
}
