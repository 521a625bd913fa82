import { requireLoopback } from './args.js';
import { mapBounded } from '../src/map-bounded.js';

/**
 * The gateway's HTTP API as the simulators use it: bearer token, JSON,
 * loopback only, a timeout on every call. Types are the subset of fields the
 * simulators read (see /docs on a running gateway for the whole schema).
 */

export interface ApiAnswer<T> {
  status: number;
  body: T | undefined;
  text: string;
}

export type IncidentStatus = 'open' | 'dispatched' | 'accepted' | 'arrived' | 'escalated' | 'resolved' | 'cancelled';

export interface IncidentView {
  id: number;
  ruleId: string;
  key: string;
  severity: 'red' | 'orange' | 'blue' | 'green';
  status: IncidentStatus;
  title: string;
  kind: string;
  deviceId: string;
  place: string | null;
  zone: string | null;
  lon: number | null;
  lat: number | null;
  openedAt: number;
  updatedAt: number;
  teamId: string | null;
  etaSeconds: number | null;
  targetAtRisk: boolean;
  brigadeNotified: boolean;
  dispatchedAt: number | null;
  acceptedAt: number | null;
  arrivedAt: number | null;
  closedAt: number | null;
  responseSeconds: number | null;
  updates: number;
}

export interface AuditView {
  at: number;
  actor: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  detail: Record<string, unknown>;
}

export interface DispatchView {
  id: number;
  teamId: string;
  status: string;
  sentAt: number;
  etaSeconds: number;
  distanceM: number;
  reason: string;
}

export interface IncidentDetail {
  incident: IncidentView;
  audit: AuditView[];
  dispatches: DispatchView[];
}

export interface TeamView {
  id: string;
  name: string;
  trackerDeviceId: string;
  lon: number | null;
  lat: number | null;
  status: string;
  incidentId: number | null;
  lastSeenAt: number | null;
}

export interface DeviceView {
  id: string;
  kind: string;
  online: boolean;
  lastSeenAt: number | null;
}

export interface GatewayClientOptions {
  timeoutMs?: number;
  /**
   * Requests per minute this client allows itself. The gateway's API allows
   * 1,200 a minute per client address (@fastify/rate-limit), and everything on
   * loopback is one address: stay below it and leave room for the others.
   */
  perMinute?: number;
}

/** Retries of one request answered 429 (each after the gateway's `retry-after`). */
const MAX_RATE_LIMITED_RETRIES = 30;

export class GatewayClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly pacer: Pacer;
  /** Requests answered 429 and retried, for the provisioning summary. */
  rateLimited = 0;

  constructor(
    baseUrl: string,
    private readonly token: string,
    options: GatewayClientOptions = {},
  ) {
    requireLoopback(baseUrl, 'gateway HTTP URL');
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.pacer = new Pacer(options.perMinute ?? 1000);
  }

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiAnswer<T>> {
    let response: Response;
    for (let attempt = 0; ; attempt++) {
      await this.pacer.take();
      response = await fetch(this.baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (response.status !== 429 || attempt >= MAX_RATE_LIMITED_RETRIES) break;
      await response.arrayBuffer();
      this.rateLimited += 1;
      const retryAfter = Number(response.headers.get('retry-after'));
      await new Promise((resolve) => setTimeout(resolve, (Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 5) * 1000));
    }
    const text = await response.text();
    let parsed: T | undefined;
    try {
      parsed = text ? (JSON.parse(text) as T) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text };
  }

  /** Throws unless the status is one of `ok`; the error carries the gateway's message. */
  async expect<T>(method: string, path: string, body: unknown, ok: readonly number[] = [200, 201]): Promise<T> {
    const answer = await this.request<T>(method, path, body);
    if (!ok.includes(answer.status) || answer.body === undefined) throw new Error(`${method} ${path}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
    return answer.body;
  }

  async incidents(query = 'open=true&limit=1000'): Promise<IncidentView[]> {
    return (await this.expect<{ incidents: IncidentView[] }>('GET', `/api/incidents?${query}`, undefined)).incidents;
  }

  incident(id: number): Promise<IncidentDetail> {
    return this.expect<IncidentDetail>('GET', `/api/incidents/${id}`, undefined);
  }

  async resolve(id: number, note: string): Promise<boolean> {
    return (await this.request('POST', `/api/incidents/${id}/resolve`, { note })).status === 200;
  }

  async teams(): Promise<TeamView[]> {
    return (await this.expect<{ teams: TeamView[] }>('GET', '/api/teams', undefined)).teams;
  }

  async device(id: string): Promise<DeviceView | undefined> {
    const answer = await this.request<DeviceView>('GET', `/api/devices/${encodeURIComponent(id)}`);
    return answer.status === 200 ? answer.body : undefined;
  }

  /** How many devices the gateway has online (of the site, if given). */
  async onlineCount(site?: string): Promise<number> {
    const query = `online=true&limit=1${site ? `&site=${encodeURIComponent(site)}` : ''}`;
    return (await this.expect<{ total: number }>('GET', `/api/devices?${query}`, undefined)).total;
  }
}

/** A token bucket: at most `perMinute` starts a minute, bursts of a few seconds' worth. */
class Pacer {
  private tokens: number;
  private last = Date.now();
  private readonly perMs: number;
  private readonly capacity: number;

  constructor(perMinute: number) {
    this.perMs = perMinute / 60_000;
    this.capacity = Math.max(1, perMinute / 30);
    this.tokens = this.capacity;
  }

  async take(): Promise<void> {
    // Each wait is long enough for a token, so this ends in a round or two; the bound is for the reader.
    for (let round = 0; round < 100; round++) {
      const now = Date.now();
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.ceil((1 - this.tokens) / this.perMs)));
    }
    this.tokens = 0;
  }
}

/** `work` over `items` with at most `limit` in flight. */
export async function mapLimit<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  await mapBounded(items, limit, work);
}
