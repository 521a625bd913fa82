import type { SqliteDatabase } from '../store/sqlite.js';
import type { PatrolTeam, TeamStatus } from '../dispatch/team-eligibility.js';

export interface Team {
  id: string;
  name: string;
  trackerDeviceId: string;
  createdAt: number;
}

/** What the tracker last said, plus the gateway's own assignment. */
export interface TeamLiveState {
  lon: number | null;
  lat: number | null;
  speedKmh: number | null;
  /** Duty status the team reported: available / busy / off_duty. */
  reportedStatus: 'available' | 'busy' | 'off_duty';
  lastSeenAt: number | null;
  /** The incident the team is currently ordered to, if any. */
  incidentId: number | null;
}

export interface TeamView extends Team, TeamLiveState {
  /** Effective status for dispatch: an active order makes a team `dispatched` whatever it reported. */
  status: TeamStatus;
}

export const TEAM_MIGRATION = `
  CREATE TABLE teams (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    tracker_device_id TEXT NOT NULL UNIQUE,
    created_at        INTEGER NOT NULL
  );
`;

export class TeamExistsError extends Error {}

/**
 * Teams and their live state. Registration is in SQLite; the live state
 * (position, duty status, current order) is memory fed by the tracker's
 * readings: a restart learns it again within one tracker period.
 */
export class TeamRegistry {
  private readonly teams = new Map<string, Team>();
  private readonly byTracker = new Map<string, string>();
  private readonly live = new Map<string, TeamLiveState>();

  constructor(private readonly db: SqliteDatabase) {
    for (const row of db.prepare('SELECT id, name, tracker_device_id AS trackerDeviceId, created_at AS createdAt FROM teams').all() as Team[]) {
      this.add(row);
    }
  }

  register(team: Omit<Team, 'createdAt'>, now: number): Team {
    if (this.teams.has(team.id)) throw new TeamExistsError(`team ${team.id} is already registered`);
    if (this.byTracker.has(team.trackerDeviceId)) throw new TeamExistsError(`tracker ${team.trackerDeviceId} already belongs to team ${this.byTracker.get(team.trackerDeviceId)}`);
    const record = { ...team, createdAt: now };
    this.db.prepare('INSERT INTO teams (id, name, tracker_device_id, created_at) VALUES (@id, @name, @trackerDeviceId, @createdAt)').run(record);
    this.add(record);
    return record;
  }

  remove(id: string): boolean {
    const team = this.teams.get(id);
    if (!team) return false;
    this.db.prepare('DELETE FROM teams WHERE id = ?').run(id);
    this.teams.delete(id);
    this.byTracker.delete(team.trackerDeviceId);
    this.live.delete(id);
    return true;
  }

  get(id: string): TeamView | undefined {
    const team = this.teams.get(id);
    return team ? this.view(team) : undefined;
  }

  teamOfTracker(deviceId: string): Team | undefined {
    const id = this.byTracker.get(deviceId);
    return id ? this.teams.get(id) : undefined;
  }

  list(): TeamView[] {
    return [...this.teams.values()].map((team) => this.view(team)).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The teams as the dispatcher sees them; teams that never reported a position are left out. */
  patrolTeams(): PatrolTeam[] {
    const result: PatrolTeam[] = [];
    for (const view of this.list()) {
      if (view.lon === null || view.lat === null || view.lastSeenAt === null) continue;
      result.push({ id: view.id, lon: view.lon, lat: view.lat, status: view.status, lastSeenAt: view.lastSeenAt });
    }
    return result;
  }

  position(id: string, lon: number, lat: number, speedKmh: number | null, at: number): void {
    const state = this.live.get(id);
    if (!state) return;
    Object.assign(state, { lon, lat, speedKmh, lastSeenAt: at });
  }

  reportStatus(id: string, status: TeamLiveState['reportedStatus'], at: number): void {
    const state = this.live.get(id);
    if (!state) return;
    state.reportedStatus = status;
    state.lastSeenAt = at;
  }

  seen(id: string, at: number): void {
    const state = this.live.get(id);
    if (state) state.lastSeenAt = at;
  }

  assign(id: string, incidentId: number | null): void {
    const state = this.live.get(id);
    if (state) state.incidentId = incidentId;
  }

  private add(team: Team): void {
    this.teams.set(team.id, team);
    this.byTracker.set(team.trackerDeviceId, team.id);
    this.live.set(team.id, { lon: null, lat: null, speedKmh: null, reportedStatus: 'available', lastSeenAt: null, incidentId: null });
  }

  private view(team: Team): TeamView {
    const state = this.live.get(team.id)!;
    const status: TeamStatus = state.incidentId !== null ? 'dispatched' : state.reportedStatus;
    return { ...team, ...state, status };
  }
}
