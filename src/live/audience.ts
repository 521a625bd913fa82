import type { Role } from '../api/auth.js';
import type { Incident } from '../incidents/incident-store.js';
import type { BatchMessage, SnapshotMessage, TickerEntry, WireMaintenance } from './wire.js';

/**
 * Who sees what on `/ws` (docs/wall.md, "Who sees what"). Each role that may
 * watch the feed belongs to one audience; the feed encodes every snapshot and
 * batch once per audience (not per page) and keeps a resume ring per audience.
 * A narrowed frame is an ordinary frame with fewer entries: the wire format is
 * the same for everyone.
 *
 * An audience without `deviceKinds` and `incident` sees everything.
 */
export interface Audience {
  /** For logs; frames are shared by the pages of one audience. */
  readonly name: string;
  /** Device kinds it sees (devices, removals, ticker lines); absent: every kind. */
  readonly deviceKinds?: ReadonlySet<string>;
  /** Whether it sees an incident (and its orders); absent: every incident. */
  readonly incident?: (incident: Pick<Incident, 'kind' | 'brigadeNotified'>) => boolean;
}

/** The operators' wall and the admin: the whole village. */
export const EVERYTHING: Audience = { name: 'everything' };

const BRIGADE_KINDS: ReadonlySet<string> = new Set(['camera', 'fire']);

/**
 * The fire brigade, an outside organisation: what its console
 * (`src/web/public/lib/brigade-state.js`) uses and no more — cameras and fire
 * detectors; the incidents about them (fire incidents are listed; an open
 * camera incident is what marks a camera as an alarm on the console's map and
 * camera list); and any incident the gateway told the brigade about
 * (`brigadeNotified`, listed by the console too). No door locks, e-bike
 * stations or team trackers, and no incident about them, which can describe
 * residents. Teams, counters and coverage are not narrowed. Maintenance
 * windows: those on a zone or the whole site (a camera under maintenance is
 * one that is dark on purpose), and those on one camera or fire detector —
 * not those on a lock or an e-bike station.
 */
export const BRIGADE: Audience = {
  name: 'brigade',
  deviceKinds: BRIGADE_KINDS,
  incident: (incident) => BRIGADE_KINDS.has(incident.kind) || incident.brigadeNotified === true,
};

/** The audience of each role that may watch the feed; a role not listed here is refused. */
export const AUDIENCES: Readonly<Partial<Record<Role, Audience>>> = {
  operator: EVERYTHING,
  admin: EVERYTHING,
  brigade: BRIGADE,
};

export function audienceFor(role: Role): Audience | undefined {
  return Object.hasOwn(AUDIENCES, role) ? AUDIENCES[role] : undefined;
}

export function seesEverything(audience: Audience): boolean {
  return audience.deviceKinds === undefined && audience.incident === undefined;
}

/** Whether the audience sees devices of this kind. An unknown kind (undefined) is seen only by those who see every kind. */
export function seesDevice(audience: Audience, kind: string | undefined): boolean {
  if (!audience.deviceKinds) return true;
  return kind !== undefined && audience.deviceKinds.has(kind);
}

export function seesIncident(audience: Audience, incident: Pick<Incident, 'kind' | 'brigadeNotified'>): boolean {
  return audience.incident ? audience.incident(incident) : true;
}

/** A ticker line names a device kind (a fire alarm, a camera gone dark, an incident about a device of that kind). */
export function seesTicker(audience: Audience, entry: Pick<TickerEntry, 'kind'>): boolean {
  return seesDevice(audience, entry.kind);
}

/** A window on a zone or a site concerns every audience; one on a device, those who see its kind (unknown: only those who see every kind). */
export function seesMaintenance(audience: Audience, window: Pick<WireMaintenance, 'scope' | 'kind'>): boolean {
  return window.scope !== 'device' || seesDevice(audience, window.kind);
}

/** The snapshot as this audience sees it: the same object when it sees everything. */
export function narrowSnapshot(snapshot: SnapshotMessage, audience: Audience): SnapshotMessage {
  if (seesEverything(audience)) return snapshot;
  return {
    ...snapshot,
    devices: snapshot.devices.filter((d) => seesDevice(audience, d[1])),
    incidents: snapshot.incidents.filter((i) => seesIncident(audience, i)),
    ticker: snapshot.ticker.filter((e) => seesTicker(audience, e)),
    maintenance: snapshot.maintenance.filter((w) => seesMaintenance(audience, w)),
  };
}

/**
 * The batch as this audience sees it: the same object when it sees everything.
 * `removedKinds` gives the kind of each id in `devicesRemoved` (the device is no
 * longer in the registry to ask); an id of unknown kind is left out. The
 * narrowed batch keeps its `seq` even when nothing is left in it, because a
 * page treats a gap in the sequence as lost data.
 */
export function narrowBatch(batch: BatchMessage, audience: Audience, removedKinds: ReadonlyMap<string, string> = new Map()): BatchMessage {
  if (seesEverything(audience)) return batch;
  const narrowed: BatchMessage = { ...batch };
  const keep = <K extends 'devices' | 'devicesRemoved' | 'incidents' | 'ticker'>(key: K, list: BatchMessage[K] | undefined) => {
    if (list && list.length > 0) narrowed[key] = list;
    else delete narrowed[key];
  };
  keep('devices', batch.devices?.filter((d) => seesDevice(audience, d[1])));
  keep('devicesRemoved', batch.devicesRemoved?.filter((id) => seesDevice(audience, removedKinds.get(id))));
  keep('incidents', batch.incidents?.filter((i) => seesIncident(audience, i)));
  keep('ticker', batch.ticker?.filter((e) => seesTicker(audience, e)));
  // The full list, not a delta: an empty one is kept (it says the last window left).
  if (batch.maintenance) narrowed.maintenance = batch.maintenance.filter((w) => seesMaintenance(audience, w));
  return narrowed;
}
