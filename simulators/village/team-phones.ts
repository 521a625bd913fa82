import type { Fleet } from '../devices/fleet.js';
import type { GatewayClient } from '../gateway-client.js';

/**
 * The patrol teams' phones: the team page shows whether the team still has
 * an incident. A tracker only hears `dispatch` and `stand-down`; when an
 * incident it reached is resolved nothing is sent to it, so the crew learns
 * it from the phone, here by polling `GET /api/teams`.
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
