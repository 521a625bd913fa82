import { chooseTeam, type DispatchChoice, type DispatchPolicy } from './choose-team.js';
import type { Position } from './eta.js';
import type { RoadGraph } from './road-graph.js';
import type { PatrolTeam } from './team-eligibility.js';

export interface OpenIncident extends Position {
  id: string;
}

export interface AssignmentRequest {
  /** Most urgent first (red before orange, then oldest): earlier incidents get first pick. */
  incidents: readonly OpenIncident[];
  teams: readonly PatrolTeam[];
  now: number;
  /** Per incident id, the teams that declined or timed out on it. */
  skipped?: ReadonlyMap<string, Iterable<string>>;
  policy?: Partial<DispatchPolicy>;
}

export interface Assignment {
  incidentId: string;
  teamId: string | undefined;
  /** Set when every free team was taken and this incident shares a team with an earlier one. */
  sharesTeamWith?: string;
  choice: DispatchChoice;
}

/**
 * Teams for several incidents open at once. Greedy in urgency order: the
 * most urgent incident gets its nearest team, the next gets the nearest of
 * the rest, and so on. A team is given twice only when no other is free,
 * because a shared team is better than none.
 */
export function assignTeams(graph: RoadGraph, request: AssignmentRequest): Assignment[] {
  const taken = new Map<string, string>();
  return request.incidents.map((incident) => {
    const base = { incident, teams: request.teams, now: request.now, skipped: [...(request.skipped?.get(incident.id) ?? [])], ...(request.policy ? { policy: request.policy } : {}) };
    const choice = chooseTeam(graph, { ...base, alreadyAssigned: taken.keys() });
    if (choice.best) {
      taken.set(choice.best.teamId, incident.id);
      return { incidentId: incident.id, teamId: choice.best.teamId, choice };
    }
    if (!choice.excluded.some((team) => team.reason === 'already_assigned')) return { incidentId: incident.id, teamId: undefined, choice };
    const shared = chooseTeam(graph, base);
    const teamId = shared.best?.teamId;
    const sharesTeamWith = teamId === undefined ? undefined : taken.get(teamId);
    return { incidentId: incident.id, teamId, ...(sharesTeamWith === undefined ? {} : { sharesTeamWith }), choice: shared };
  });
}
