// @ts-check
/**
 * The wall's picture of the village, fed by the live feed (docs/wall.md):
 * a snapshot replaces it, a batch updates each entity it names. Views read
 * it and the `changed` flags tell them what to redraw on the next frame.
 */

/** @typedef {'camera'|'lock'|'ebike-station'|'fire'|'team'} DeviceKind */
/**
 * `maintenance`: the id of the active maintenance window covering the device (the gateway decides, as its rules do), or null.
 * @typedef {{ id: string, kind: DeviceKind, online: boolean, lon: number|null, lat: number|null, lastSeenAt: number|null, name: string|null, maintenance?: number|null, x?: number, y?: number, pv?: number }} DeviceState
 */
/** @typedef {{ id: number, site: string, scope: 'device'|'zone'|'site', target: string|null, reason: string, startsAt: number, endsAt: number, status: 'active'|'upcoming', kind?: string }} MaintenanceWindow */
/** @typedef {{ id: number, teamId: string, status: string, sentAt: number, ackDeadline: number, etaSeconds: number, distanceM: number, route: [number, number][] }} WireOrder */
/**
 * @typedef {{ id: number, ruleId: string, key: string, severity: 'red'|'orange'|'blue'|'green', status: string, title: string, summary: string,
 *   kind: string, site: string, deviceId: string, place: string|null, zone: string|null, lon: number|null, lat: number|null,
 *   openedAt: number, updatedAt: number, acknowledgedAt: number|null, acknowledgedBy: string|null, teamId: string|null,
 *   etaSeconds: number|null, targetAtRisk: boolean, brigadeNotified: boolean, dispatchedAt: number|null, acceptedAt: number|null,
 *   arrivedAt: number|null, closedAt: number|null, responseSeconds: number|null, note: string|null, updates: number, orders: WireOrder[] }} IncidentState
 */
/** @typedef {{ id: string, name: string, status: string, reportedStatus: string, lon: number|null, lat: number|null, speedKmh: number|null, lastSeenAt: number|null, incidentId: number|null }} TeamState */
/** @typedef {{ online: Record<string, number>, total: Record<string, number>, messagesPerSecond: number, rejects: number, rejectsPerSecond: number, outboxDepth: number, clients: number }} Counters */
/** @typedef {{ targetSeconds: number, coveredShare: number, uncovered: { geometry: { coordinates: [number, number][] } }[] }} Coverage */
/** @typedef {{ id: number, at: number, type: string, severity?: string, kind?: string, deviceId?: string, incidentId?: number, ruleId?: string, place?: string|null, zone?: string|null, title?: string, status?: string }} TickerEntry */
/** @typedef {{ targetSeconds: number, teamStaleAfterMs: number, batchMs: number }} Settings */

export const SEVERITY_RANK = /** @type {const} */ ({ red: 0, orange: 1, blue: 2, green: 3 });
const CLOSED = new Set(['resolved', 'cancelled']);
const TICKER_KEPT = 60;

export class WallState {
  constructor() {
    /** @type {Map<string, DeviceState>} */
    this.devices = new Map();
    /** @type {Map<number, IncidentState>} */
    this.incidents = new Map();
    /** @type {Map<string, TeamState>} */
    this.teams = new Map();
    /** @type {Counters} */
    this.counters = { online: {}, total: {}, messagesPerSecond: 0, rejects: 0, rejectsPerSecond: 0, outboxDepth: 0, clients: 0 };
    /** @type {Coverage|null} */
    this.coverage = null;
    /** Newest last. @type {TickerEntry[]} */
    this.ticker = [];
    /** Maintenance windows active or upcoming, by start (the feed sends the whole list when it changes). @type {MaintenanceWindow[]} */
    this.maintenance = [];
    /** @type {Settings} */
    this.settings = { targetSeconds: 180, teamStaleAfterMs: 120_000, batchMs: 250 };
    /** Devices named by an open incident: drawn as alarms. @type {Set<string>} */
    this.alarmDevices = new Set();
    this.changed = { devices: false, incidents: false, teams: false, counters: false, coverage: false, ticker: false, maintenance: false, fit: false, site: false };
    /** Newest device `lastSeenAt` of the batches applied since the last frame: the update lag is measured from it. */
    this.newestSeen = 0;
    /** Oldest `lastSeenAt` among them: with the newest, it brackets the lag including the wait for the batch. */
    this.oldestSeen = 0;
    this.tickerDropped = 0;
  }

  /** @param {any} message */
  applySnapshot(message) {
    const fields = /** @type {string[]} */ (message.deviceFields);
    const at = (/** @type {string} */ name) => fields.indexOf(name);
    const col = { id: at('id'), kind: at('kind'), online: at('online'), lon: at('lon'), lat: at('lat'), lastSeenAt: at('lastSeenAt'), name: at('name'), maintenance: at('maintenance') };
    this.columns = col;
    this.devices.clear();
    for (const row of message.devices) this.putDevice(row);
    this.incidents.clear();
    for (const incident of message.incidents) this.putIncident(incident);
    this.teams.clear();
    for (const team of message.teams) this.teams.set(team.id, team);
    this.counters = message.counters;
    this.coverage = message.coverage;
    this.ticker = message.ticker.slice(-TICKER_KEPT);
    this.settings = message.settings;
    this.maintenance = message.maintenance ?? [];
    this.recomputeAlarms();
    for (const key of Object.keys(this.changed)) this.changed[/** @type {keyof WallState['changed']} */ (key)] = true;
    this.changed.site = false;
  }

  /** @param {any} batch */
  applyBatch(batch) {
    if (batch.devices) {
      for (const row of batch.devices) {
        this.putDevice(row);
        const seen = row[this.columns?.lastSeenAt ?? 5];
        if (typeof seen === 'number' && seen > this.newestSeen) this.newestSeen = seen;
        if (typeof seen === 'number' && (this.oldestSeen === 0 || seen < this.oldestSeen)) this.oldestSeen = seen;
      }
      this.changed.devices = true;
    }
    if (batch.devicesRemoved) {
      for (const id of batch.devicesRemoved) this.devices.delete(id);
      this.changed.devices = true;
    }
    if (batch.incidents) {
      for (const incident of batch.incidents) this.putIncident(incident);
      this.recomputeAlarms();
    }
    if (batch.teams) {
      for (const team of batch.teams) this.teams.set(team.id, team);
      this.changed.teams = true;
    }
    if (batch.teamsRemoved) {
      for (const id of batch.teamsRemoved) this.teams.delete(id);
      this.changed.teams = true;
    }
    if (batch.counters) {
      this.counters = batch.counters;
      this.changed.counters = true;
    }
    if (batch.coverage !== undefined) {
      this.coverage = batch.coverage;
      this.changed.coverage = true;
    }
    if (batch.ticker) {
      this.ticker.push(...batch.ticker);
      if (this.ticker.length > TICKER_KEPT) this.ticker.splice(0, this.ticker.length - TICKER_KEPT);
      this.changed.ticker = true;
    }
    if (batch.maintenance) {
      this.maintenance = batch.maintenance;
      this.changed.maintenance = true;
    }
    if (batch.tickerDropped) this.tickerDropped += batch.tickerDropped;
    if (batch.siteChanged) this.changed.site = true;
  }

  /** An incident as an action's answer returned it: shown at once, the feed confirms it moments later. @param {IncidentState} incident */
  applyIncident(incident) {
    const known = this.incidents.get(incident.id);
    this.putIncident({ ...incident, orders: incident.orders ?? known?.orders ?? [] });
    this.recomputeAlarms();
  }

  /** @param {any[]} row */
  putDevice(row) {
    const c = this.columns ?? { id: 0, kind: 1, online: 2, lon: 3, lat: 4, lastSeenAt: 5, name: 6, maintenance: 7 };
    // A gateway older than the column sends none: nothing is covered.
    const maintenance = c.maintenance >= 0 ? (row[c.maintenance] ?? null) : null;
    const id = row[c.id];
    const known = this.devices.get(id);
    const lon = row[c.lon];
    const lat = row[c.lat];
    if (known) {
      if (known.lon !== lon || known.lat !== lat) known.pv = -1;
      known.kind = row[c.kind];
      known.online = row[c.online] === 1;
      known.lon = lon;
      known.lat = lat;
      known.lastSeenAt = row[c.lastSeenAt];
      known.name = row[c.name];
      known.maintenance = maintenance;
    } else {
      this.devices.set(id, { id, kind: row[c.kind], online: row[c.online] === 1, lon, lat, lastSeenAt: row[c.lastSeenAt], name: row[c.name], maintenance });
    }
  }

  /** @param {IncidentState} incident */
  putIncident(incident) {
    if (CLOSED.has(incident.status)) this.incidents.delete(incident.id);
    else this.incidents.set(incident.id, incident);
    this.changed.incidents = true;
  }

  recomputeAlarms() {
    const alarms = new Set();
    for (const incident of this.incidents.values()) alarms.add(incident.deviceId);
    if (alarms.size !== this.alarmDevices.size || [...alarms].some((id) => !this.alarmDevices.has(id))) this.changed.devices = true;
    this.alarmDevices = alarms;
  }

  /** The windows covering now, by start. */
  activeMaintenance() {
    return this.maintenance.filter((w) => w.status === 'active');
  }

  /** Open incidents, most severe first, then the newest. */
  sortedIncidents() {
    return [...this.incidents.values()].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.openedAt - a.openedAt);
  }
}
