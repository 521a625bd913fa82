import type { Fleet } from '../devices/fleet.js';
import type { GatewayClient } from '../gateway-client.js';

/**
 * The patrol teams' phones: the team page shows whether the team still has
 * an incident. The tracker hears `closed` when its incident is resolved or
 * cancelled; the phone is the crew's second way to learn it (and the only one
 * for a tracker that missed the message), here by polling `GET /api/teams`.
 */
export class TeamPhones {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly fleet: Fleet,
    private readonly client: GatewayClient,
    private readonly everyMs = 3000,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    const asked = Date.now();
    try {
      for (const team of await this.client.teams()) {
        if (team.incidentId === null) this.fleet.trackers.get(team.id)?.released(asked);
      }
    } catch {
      // The gateway restarting: the next poll will tell.
    } finally {
      this.polling = false;
    }
  }
}
