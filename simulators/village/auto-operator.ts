import type { SimClock } from '../devices/sim-clock.js';
import type { GatewayClient, IncidentView } from '../gateway-client.js';

/**
 * A stand-in for the command centre's operators, so a long simulation does
 * not run out of teams: nobody else closes incidents, and a team that
 * arrived stays on its incident until it is resolved. Resolves an incident
 * `afterArrivalMin` village minutes after a team arrived, one nobody was sent
 * to after `unattendedMin`, anything after `anyMin`.
 */
export interface AutoOperatorOptions {
  afterArrivalMin?: number;
  unattendedMin?: number;
  anyMin?: number;
  everyMs?: number;
  log?: (line: string) => void;
}

export class AutoOperator {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  resolved = 0;

  constructor(
    private readonly client: GatewayClient,
    private readonly clock: SimClock,
    private readonly options: AutoOperatorOptions = {},
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.round(), this.options.everyMs ?? 5000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Whether the operator would close this incident now (`now`: epoch ms). */
  isDue(incident: IncidentView, now: number): boolean {
    const minutes = (m: number) => this.clock.realDuration(m * 60_000);
    const { afterArrivalMin = 10, unattendedMin = 30, anyMin = 120 } = this.options;
    if (incident.arrivedAt !== null && now - incident.arrivedAt >= minutes(afterArrivalMin)) return true;
    if (incident.teamId === null && now - incident.openedAt >= minutes(unattendedMin)) return true;
    return now - incident.openedAt >= minutes(anyMin);
  }

  async round(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = Date.now();
      for (const incident of await this.client.incidents('open=true&limit=1000')) {
        if (!this.isDue(incident, now)) continue;
        if (await this.client.resolve(incident.id, 'closed by the village simulator (auto-operator)')) {
          this.resolved += 1;
          this.options.log?.(`auto-operator: resolved incident ${incident.id} (${incident.ruleId}, ${incident.status}) ${incident.title}`);
        }
      }
    } catch {
      // Gateway away for a moment; try again next round.
    } finally {
      this.busy = false;
    }
  }
}
