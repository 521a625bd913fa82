import type { DeviceKind } from '../../devices/model.js';
import type { DispatchOrder } from '../dispatch/dispatch-orders.js';
import type { Incident } from '../incidents/incident-store.js';
import type { MaintenanceWindow } from '../maintenance/maintenance-store.js';
import type { Device } from '../registry/device-registry.js';
import type { LonLat } from '../site/site.js';
import type { TeamView } from '../teams/team-registry.js';

/**
 * The `/ws` live-feed messages (contract: docs/wall.md). Server → client only;
 * JSON text frames. Devices travel as tuples because a snapshot may carry tens
 * of thousands of them: the column names are in `deviceFields` of every
 * snapshot, so a page reads them by name and a new column can be appended.
 */
export const DEVICE_FIELDS = ['id', 'kind', 'online', 'lon', 'lat', 'lastSeenAt', 'name', 'maintenance'] as const;

/**
 * `[id, kind, online 0|1, lon, lat, lastSeenAt, name, maintenance]`, in the
 * order of DEVICE_FIELDS. `maintenance`: the id of the active maintenance
 * window covering the device (as the rules see it), or null.
 */
export type WireDevice = [
  id: string,
  kind: DeviceKind,
  online: 0 | 1,
  lon: number | null,
  lat: number | null,
  lastSeenAt: number | null,
  name: string | null,
  maintenance: number | null,
];

/** A maintenance window not yet over (docs/maintenance.md): the feed carries the active and the upcoming ones. */
export interface WireMaintenance extends Pick<MaintenanceWindow, 'id' | 'site' | 'scope' | 'target' | 'reason' | 'startsAt' | 'endsAt'> {
  status: 'active' | 'upcoming';
  /** Scope device: the device's kind (what an audience narrowed by kind is told about); absent otherwise or for a device no longer registered. */
  kind?: DeviceKind;
}

export interface WireOrder {
  id: number;
  teamId: string;
  status: DispatchOrder['status'];
  sentAt: number;
  ackDeadline: number;
  etaSeconds: number;
  distanceM: number;
  route: LonLat[];
}

/** An incident as the store has it, plus its live orders (teams sent or on their way). */
export interface WireIncident extends Incident {
  orders: WireOrder[];
}

export type WireTeam = Pick<TeamView, 'id' | 'name' | 'status' | 'reportedStatus' | 'lon' | 'lat' | 'speedKmh' | 'lastSeenAt' | 'incidentId'>;

export interface WireCounters {
  /** Devices online per kind, as the devices on the map show them. */
  online: Partial<Record<DeviceKind, number>>;
  /** Registered devices per kind. */
  total: Partial<Record<DeviceKind, number>>;
  /** Device messages received per second over the last counter interval. */
  messagesPerSecond: number;
  /** Device messages refused since the gateway started, and per second lately. */
  rejects: number;
  rejectsPerSecond: number;
  /** Messages durable on disk but not yet in InfluxDB. */
  outboxDepth: number;
  /** Pages connected to this feed. */
  clients: number;
}

export interface WireCoverage {
  targetSeconds: number;
  coveredShare: number;
  /** Road pieces no available team reaches within the target, as GeoJSON LineStrings. */
  uncovered: { type: 'Feature'; geometry: { type: 'LineString'; coordinates: LonLat[] }; properties: { roadId: string; lengthM: number } }[];
}

export const TICKER_TYPES = ['fire-alarm', 'camera-dark', 'incident-opened', 'incident-raised', 'incident-repeated', 'incident-closed'] as const;
export type TickerType = (typeof TICKER_TYPES)[number];

/** One line of the wall's event ticker: facts only; the page words them in its language. */
export interface TickerEntry {
  id: number;
  at: number;
  type: TickerType;
  severity?: Incident['severity'];
  kind?: string;
  deviceId?: string;
  incidentId?: number;
  ruleId?: string;
  /** The incident's key (for a stolen tag: the tag id). */
  key?: string;
  place?: string | null;
  zone?: string | null;
  /** The rule's title in the gateway's words: the fallback when the page has no wording for the rule. */
  title?: string;
  status?: Incident['status'];
}

export interface FeedSettings {
  /** The arrival target the incident clocks run against (180 s). */
  targetSeconds: number;
  /** A team tracker silent this long is shown as stale. */
  teamStaleAfterMs: number;
  batchMs: number;
}

export interface SnapshotMessage {
  type: 'snapshot';
  /** Identifies this feed's lifetime: a `seq` means nothing across a gateway restart. */
  epoch: string;
  /** The last batch this snapshot already includes; batches continue at seq + 1. */
  seq: number;
  at: number;
  settings: FeedSettings;
  deviceFields: typeof DEVICE_FIELDS;
  devices: WireDevice[];
  incidents: WireIncident[];
  teams: WireTeam[];
  counters: WireCounters;
  coverage: WireCoverage | null;
  ticker: TickerEntry[];
  /** Maintenance windows active or upcoming, by start. */
  maintenance: WireMaintenance[];
}

export interface BatchMessage {
  type: 'batch';
  epoch: string;
  seq: number;
  at: number;
  /** Changed or new devices, each once, in its latest state. */
  devices?: WireDevice[];
  devicesRemoved?: string[];
  /** Changed incidents, each once; a `resolved` or `cancelled` one leaves the wall. */
  incidents?: WireIncident[];
  teams?: WireTeam[];
  teamsRemoved?: string[];
  counters?: WireCounters;
  coverage?: WireCoverage | null;
  ticker?: TickerEntry[];
  /** Ticker lines left out of this batch to keep it small (a burst of cameras going dark). */
  tickerDropped?: number;
  /** The site files were reloaded: fetch /api/site again. */
  siteChanged?: true;
  /** The maintenance windows changed (planned, started, ended): the full current list, replacing the last one. */
  maintenance?: WireMaintenance[];
}

/** Sent instead of a snapshot when the page's `since` is still in the ring: the missed batches follow. */
export interface ResumeMessage {
  type: 'resume';
  epoch: string;
  /** The page's last seq; the next message is the batch seq + 1 (if any was missed). */
  since: number;
  /** The latest seq; when equal to `since` nothing was missed. */
  seq: number;
}

export type FeedMessage = SnapshotMessage | BatchMessage | ResumeMessage;

export function wireDevice(device: Device, maintenance: number | null = null): WireDevice {
  return [device.id, device.kind, device.online ? 1 : 0, device.lon, device.lat, device.lastSeenAt, device.name, maintenance];
}

export function wireMaintenance(window: MaintenanceWindow, active: boolean, kind?: DeviceKind): WireMaintenance {
  return {
    id: window.id,
    site: window.site,
    scope: window.scope,
    target: window.target,
    reason: window.reason,
    startsAt: window.startsAt,
    endsAt: window.endsAt,
    status: active ? 'active' : 'upcoming',
    ...(kind ? { kind } : {}),
  };
}

export function wireOrder(order: DispatchOrder): WireOrder {
  return {
    id: order.id,
    teamId: order.teamId,
    status: order.status,
    sentAt: order.sentAt,
    ackDeadline: order.ackDeadline,
    etaSeconds: order.etaSeconds,
    distanceM: order.distanceM,
    route: order.route,
  };
}

export function wireTeam(team: TeamView): WireTeam {
  return {
    id: team.id,
    name: team.name,
    status: team.status,
    reportedStatus: team.reportedStatus,
    lon: team.lon,
    lat: team.lat,
    speedKmh: team.speedKmh,
    lastSeenAt: team.lastSeenAt,
    incidentId: team.incidentId,
  };
}

export const CLOSED_STATUSES: ReadonlySet<Incident['status']> = new Set(['resolved', 'cancelled']);
