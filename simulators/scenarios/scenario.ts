import type { GatewayClient, IncidentView } from '../gateway-client.js';
import type { VillageControl } from '../village/control.js';
import type { PlannedDevice, VillagePlan } from '../village/plan.js';
import type { Random } from '../village/random.js';

/**
 * A scenario plays one situation in the village through the devices' real
 * MQTT connections (via the village control) and follows the gateway's
 * answer through its real HTTP API, printing a timeline and ending with a
 * verdict: a list of checks, each passed or failed with what was seen.
 */

export interface OutageHooks {
  /** Makes InfluxDB unavailable (stop it, SIGSTOP it, block it). */
  begin(): Promise<void>;
  end(): Promise<void>;
}

export interface ScenarioContext {
  client: GatewayClient;
  control: VillageControl;
  plan: VillagePlan;
  /** Village-time factor of the running village. */
  speed: number;
  random: Random;
  timeline: Timeline;
  /** For the outage scenario: InfluxQL endpoint to count what landed, and how to cause the outage. */
  influx?: { url: string; db: string };
  outage?: OutageHooks;
  /** Leave the incidents a scenario opened (default: resolve them at the end). */
  keep?: boolean;
  /** When only some devices run (a scenario's own little fleet): pick actors among these. */
  available?: ReadonlySet<string>;
  /** A specific actor (factory id, zone id, lock id, tag id) instead of a random one. */
  target?: string;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Verdict {
  scenario: string;
  ok: boolean;
  /** When the scenario could not run here at all (e.g. a register the gateway does not have). */
  skipped?: string;
  summary: string;
  checks: Check[];
  incidentIds: number[];
}

export interface Scenario {
  name: string;
  title: string;
  /** Hour of the village day the scenario is meant for, when it runs its own devices (e.g. 2 for a night). */
  startHour?: number;
  /** Devices it acts through (the teams always run too), when it runs its own devices. */
  actors(plan: VillagePlan, random: Random, target?: string): ReadonlySet<string>;
  run(ctx: ScenarioContext): Promise<Verdict>;
}

/** Prints `[+  12.3 s | 02:14:05] text`: real seconds since the start, village time. */
export class Timeline {
  readonly lines: string[] = [];
  private readonly startReal = Date.now();

  constructor(
    private readonly simAt: (realMs: number) => string,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  step(text: string): void {
    const now = Date.now();
    const line = `[+${((now - this.startReal) / 1000).toFixed(1).padStart(6)} s | ${this.simAt(now)}] ${text}`;
    this.lines.push(line);
    this.write(line);
  }
}

export class CheckList {
  readonly checks: Check[] = [];

  constructor(private readonly timeline: Timeline) {}

  add(name: string, ok: boolean, detail: string): boolean {
    this.checks.push({ name, ok, detail });
    this.timeline.step(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
    return ok;
  }

  verdict(scenario: string, summary: string, incidentIds: number[]): Verdict {
    return { scenario, ok: this.checks.length > 0 && this.checks.every((c) => c.ok), summary, checks: this.checks, incidentIds };
  }
}

/** Polls until `probe` answers something (not undefined), or undefined at the deadline. Bounded by time. */
export async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  // Bounded by the deadline; the count is a second bound should the clock misbehave.
  for (let attempt = 0; attempt <= Math.ceil(timeoutMs / everyMs) + 1; attempt++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // A transient HTTP error is a miss, not a verdict.
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(everyMs);
  }
  return undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Real milliseconds for a stretch of village time at this speed. */
export function simMs(ctx: Pick<ScenarioContext, 'speed'>, villageMs: number): number {
  return villageMs / ctx.speed;
}

/** The newest incident matching `match`, opened at or after `since` (epoch ms, real). */
export async function findIncident(ctx: ScenarioContext, since: number, match: (incident: IncidentView) => boolean, query = 'limit=200'): Promise<IncidentView | undefined> {
  const incidents = await ctx.client.incidents(query);
  return incidents.filter((i) => i.openedAt >= since - 1000 && match(i)).sort((a, b) => b.id - a.id)[0];
}

/** Waits for an incident to reach one of `statuses` (or pass it: arrived counts as accepted). */
export async function waitForStatus(ctx: ScenarioContext, id: number, statuses: readonly string[], timeoutMs: number): Promise<IncidentView | undefined> {
  return poll(async () => {
    const { incident } = await ctx.client.incident(id);
    return statuses.includes(incident.status) ? incident : undefined;
  }, timeoutMs);
}

/** The plan's devices of one kind that are running (all of them unless `available` says otherwise). */
export function running<D extends PlannedDevice>(plan: VillagePlan, filter: (d: PlannedDevice) => d is D, available?: ReadonlySet<string>): D[] {
  return plan.devices.filter((d): d is D => filter(d) && (available === undefined || available.has(d.id)));
}

/** Closes the incidents a scenario opened, unless asked to keep them. */
export async function cleanUp(ctx: ScenarioContext, ids: readonly number[], scenario: string): Promise<void> {
  if (ctx.keep) return;
  for (const id of ids) {
    if (await ctx.client.resolve(id, `scenario ${scenario}: done`).catch(() => false)) ctx.timeline.step(`resolved incident ${id} (scenario clean-up)`);
  }
}

export function villageSeconds(ctx: Pick<ScenarioContext, 'speed'>, realSeconds: number): number {
  return realSeconds * ctx.speed;
}
