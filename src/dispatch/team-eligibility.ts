export type TeamStatus = 'available' | 'dispatched' | 'busy' | 'off_duty';

/** A patrol team as live state knows it from its tracker. */
export interface PatrolTeam {
  id: string;
  lon: number;
  lat: number;
  status: TeamStatus;
  /** Epoch ms of the tracker's last report. */
  lastSeenAt: number;
}

export type ExclusionReason =
  | 'dispatched'
  | 'busy'
  | 'off_duty'
  | 'no_position'
  | 'silent'
  | 'skipped'
  | 'already_assigned'
  | 'unreachable';

export interface ExcludedTeam {
  teamId: string;
  reason: ExclusionReason;
  /** For the operator's screen: why, in words. */
  detail: string;
}

export interface EligibilityRules {
  now: number;
  /**
   * A tracker silent for longer than this gives a position nobody should
   * route from (and maybe a team in trouble); the team is not dispatched.
   */
  staleAfterMs: number;
  /** Teams that declined or did not acknowledge this incident in time. */
  skipped: ReadonlySet<string>;
  /** Teams given to another incident in the same round, before their status caught up. */
  alreadyAssigned: ReadonlySet<string>;
}

const STATUS_DETAIL: Record<Exclude<TeamStatus, 'available'>, string> = {
  dispatched: 'already on the way to another incident',
  busy: 'reported busy',
  off_duty: 'off duty',
};

/** Why a team cannot take this incident, or `undefined` when it can. Checked in the order an operator would explain it. */
export function exclusionOf(team: PatrolTeam, rules: EligibilityRules): ExcludedTeam | undefined {
  const excluded = (reason: ExclusionReason, detail: string): ExcludedTeam => ({ teamId: team.id, reason, detail });
  if (team.status !== 'available') return excluded(team.status, STATUS_DETAIL[team.status]);
  if (rules.skipped.has(team.id)) return excluded('skipped', 'declined or did not acknowledge this incident');
  if (rules.alreadyAssigned.has(team.id)) return excluded('already_assigned', 'assigned to another incident in this round');
  if (!Number.isFinite(team.lon) || !Number.isFinite(team.lat)) return excluded('no_position', 'tracker has sent no position');
  const silentMs = rules.now - team.lastSeenAt;
  if (!(silentMs <= rules.staleAfterMs)) {
    return excluded('silent', `last seen ${Math.round(silentMs / 1000)} s ago (limit ${Math.round(rules.staleAfterMs / 1000)} s)`);
  }
  return undefined;
}

/** Teams that may be sent right now (available, fresh position); the teams coverage should count. */
export function dispatchableTeams(teams: readonly PatrolTeam[], now: number, staleAfterMs: number): PatrolTeam[] {
  const rules: EligibilityRules = { now, staleAfterMs, skipped: new Set(), alreadyAssigned: new Set() };
  return teams.filter((team) => exclusionOf(team, rules) === undefined);
}
