import type { Logger } from 'pino';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { TimedReading } from '../ingest/ingest.js';
import type { Device } from '../registry/device-registry.js';
import type { TeamRegistry } from './team-registry.js';

/**
 * A team tracker's readings, turned into live team state and dispatch steps:
 * positions (and arrival), duty status, and the answers to orders — accept,
 * decline, arrived — which a tracker sends with the incident id it got.
 */
export class TeamFeed {
  constructor(
    private readonly teams: TeamRegistry,
    private readonly dispatcher: Dispatcher,
    private readonly log: Logger,
  ) {}

  reading(device: Device, reading: TimedReading, receivedAt: number): void {
    const team = this.teams.teamOfTracker(device.id);
    if (!team) return;
    const fields = reading.fields;
    try {
      switch (reading.event) {
        case 'position':
          if (typeof fields.lon === 'number' && typeof fields.lat === 'number') {
            this.teams.position(team.id, fields.lon, fields.lat, typeof fields.speed_kmh === 'number' ? fields.speed_kmh : null, receivedAt);
            this.dispatcher.position(team.id, fields.lon, fields.lat);
          }
          break;
        case 'status': {
          const status = reading.tags.status;
          if (status === 'available' || status === 'busy' || status === 'off_duty') this.teams.reportStatus(team.id, status, receivedAt);
          break;
        }
        case 'accept':
        case 'decline':
        case 'arrived': {
          this.teams.seen(team.id, receivedAt);
          const incidentId = Number(fields.incident_id);
          const target = Number.isInteger(incidentId) && incidentId > 0 ? incidentId : undefined;
          if (reading.event === 'accept') this.dispatcher.accept(team.id, `team:${team.id}`, target);
          else if (reading.event === 'arrived') this.dispatcher.arrive(team.id, `team:${team.id}`, target);
          else void this.dispatcher.decline(team.id, `team:${team.id}`, target).catch((err: unknown) => this.log.warn({ err, teamId: team.id }, 'decline not applied'));
          break;
        }
        default:
          this.teams.seen(team.id, receivedAt);
      }
    } catch (err) {
      // An accept for an order that was already moved on (timed out, stood down) is normal.
      this.log.warn({ err: (err as Error).message, teamId: team.id, event: reading.event }, 'tracker answer not applied');
    }
  }
}
