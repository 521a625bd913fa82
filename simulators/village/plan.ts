import type { DeviceKind } from '../../devices/model.js';

/**
 * The device plan: every simulated device, team, e-bike tag and card of one
 * village, generated from the same seed as its site files. The provisioner
 * registers it, the device simulators play it, the scenarios pick actors
 * from it. Written as `plan.json` next to the site files.
 */

export const PLAN_VERSION = 1;

export type LonLatPair = [lon: number, lat: number];

export interface Tenant {
  name: string;
  /** 18-character resident ID number (synthetic, with a valid check digit). */
  card: string;
}

interface DeviceBase {
  id: string;
  model: string;
  name: string;
  lon: number;
  lat: number;
  /** Zone id (zones.geojson). */
  zone: string;
  /** The zone's name: what the gateway calls the zone in incidents and rules. */
  zoneName: string;
  /** Place id (places.geojson) the device belongs to, when it belongs to one. */
  place?: string;
  /** The place's name, as incidents show it. */
  placeName?: string;
}

export interface CameraPlan extends DeviceBase {
  kind: 'camera';
}

export interface LockPlan extends DeviceBase {
  kind: 'lock';
  /** As the lock reports it, unique in the site: `<building>-<floor><nn>`. */
  room: string;
  tenants: Tenant[];
}

export interface StationPlan extends DeviceBase {
  kind: 'ebike-station';
}

export interface DetectorPlan extends DeviceBase {
  kind: 'fire';
  sensor: 'smoke' | 'heat' | 'combined';
}

export interface TrackerPlan extends DeviceBase {
  kind: 'team';
  teamId: string;
}

export type PlannedDevice = CameraPlan | LockPlan | StationPlan | DetectorPlan | TrackerPlan;

export interface TeamPlan {
  id: string;
  name: string;
  trackerId: string;
  /** Where the team patrols around. */
  base: LonLatPair;
}

export interface TagPlan {
  /** `T` + 8 upper-case hex digits. */
  tag: string;
  /** The station near the bike's home, which reads it most. */
  station: string;
}

export interface StolenTag {
  tag: string;
  ownerName: string;
  ownerContact: string;
}

export interface Stranger {
  card: string;
  blacklisted: boolean;
  reason?: string;
}

export interface VillagePlan {
  version: typeof PLAN_VERSION;
  seed: string;
  scale: number;
  site: string;
  centre: LonLatPair;
  devices: PlannedDevice[];
  teams: TeamPlan[];
  tags: TagPlan[];
  stolenTags: StolenTag[];
  strangers: Stranger[];
}

export const KIND_MODELS: Readonly<Record<DeviceKind, string>> = {
  camera: 'vistaguard/vg200',
  lock: 'anmen/l3',
  'ebike-station': 'tagway/r500',
  fire: 'emberline/d10',
  team: 'patrolink/t1',
};

export function countByKind(plan: Pick<VillagePlan, 'devices'>): Record<DeviceKind, number> {
  const counts: Record<DeviceKind, number> = { camera: 0, lock: 0, 'ebike-station': 0, fire: 0, team: 0 };
  for (const device of plan.devices) counts[device.kind] += 1;
  return counts;
}

/** Throws with the first thing that is wrong; a plan is our own output, so this guards against stale or hand-edited files. */
export function checkPlan(value: unknown, source: string): VillagePlan {
  if (value === null || typeof value !== 'object') throw new Error(`${source}: expected a village plan object`);
  const plan = value as Partial<VillagePlan>;
  if (plan.version !== PLAN_VERSION) throw new Error(`${source}: plan version ${String(plan.version)}, this simulator reads version ${PLAN_VERSION}; generate it again`);
  for (const key of ['devices', 'teams', 'tags', 'stolenTags', 'strangers'] as const) {
    if (!Array.isArray(plan[key])) throw new Error(`${source}: "${key}" must be a list`);
  }
  if (typeof plan.site !== 'string') throw new Error(`${source}: "site" must be text`);
  return plan as VillagePlan;
}
