// @ts-check
/**
 * The fire brigade's picture of the village, fed by the same `/ws` live feed
 * as the wall (docs/brigade-console.md). It is the wall's state narrowed to
 * what the brigade acts on: fire incidents (and anything the gateway told the
 * brigade about), cameras and fire detectors on the map, the patrol teams.
 * Every open incident still counts for device health: a camera named by an
 * open tamper or video-loss incident is an alarm, as on the wall.
 */
import { WallState } from './wall-state.js';

/** @typedef {import('./wall-state.js').IncidentState} IncidentState */

/** Device kinds the console draws: the cameras that show the scene and the detectors that raise fires. */
export const CONSOLE_KINDS = new Set(['camera', 'fire']);
const CLOSED = new Set(['resolved', 'cancelled']);

/** Whether the console lists this incident. @param {{ kind: string, brigadeNotified: boolean }} incident */
export function forBrigade(incident) {
  return incident.kind === 'fire' || incident.brigadeNotified === true;
}

export class BrigadeState extends WallState {
  constructor() {
    super();
    /** Every open incident (any kind) → the device it names: the alarms on the map and in the camera list. @type {Map<number, string>} */
    this.openDevices = new Map();
    /** Incidents whose turn to red was announced (alarm sounded). @type {Set<number>} */
    this.announcedRed = new Set();
    /** Incidents whose arrival was announced with a chime. @type {Set<number>} */
    this.announcedNew = new Set();
  }

  /** @param {any} message */
  applySnapshot(message) {
    this.openDevices.clear();
    super.applySnapshot(message);
    // Patrol coverage is the operators' concern; the brigade's map stays uncluttered.
    this.coverage = null;
  }

  /** @param {any} batch */
  applyBatch(batch) {
    super.applyBatch(batch);
    this.coverage = null;
  }

  /** @param {any[]} row */
  putDevice(row) {
    const c = this.columns ?? { id: 0, kind: 1 };
    if (CONSOLE_KINDS.has(row[c.kind])) {
      super.putDevice(row);
      return;
    }
    if (this.devices.delete(row[c.id])) this.changed.devices = true;
  }

  /** @param {IncidentState} incident */
  putIncident(incident) {
    if (CLOSED.has(incident.status)) this.openDevices.delete(incident.id);
    else this.openDevices.set(incident.id, incident.deviceId);
    if (forBrigade(incident)) {
      super.putIncident(incident);
      return;
    }
    if (this.incidents.delete(incident.id)) this.changed.incidents = true;
  }

  recomputeAlarms() {
    const alarms = new Set(this.openDevices.values());
    if (alarms.size !== this.alarmDevices.size || [...alarms].some((id) => !this.alarmDevices.has(id))) this.changed.devices = true;
    this.alarmDevices = alarms;
  }

  /** Red incidents nobody has acknowledged yet, most recent first. */
  unacknowledgedRed() {
    return this.sortedIncidents().filter((incident) => incident.severity === 'red' && incident.acknowledgedAt === null);
  }

  /**
   * What is new since the last call: incidents that turned (or arrived) red,
   * and other incidents that just arrived, both unacknowledged. Each incident
   * is announced once per kind of news for the life of the page, so a
   * reconnect's snapshot does not sound the alarm again.
   * @returns {{ red: IncidentState[], arrived: IncidentState[] }}
   */
  takeNews() {
    /** @type {IncidentState[]} */
    const red = [];
    /** @type {IncidentState[]} */
    const arrived = [];
    for (const incident of this.sortedIncidents()) {
      const fresh = !this.announcedNew.has(incident.id);
      this.announcedNew.add(incident.id);
      if (incident.severity === 'red') {
        if (this.announcedRed.has(incident.id)) continue;
        this.announcedRed.add(incident.id);
        if (incident.acknowledgedAt === null) red.push(incident);
      } else if (fresh && incident.acknowledgedAt === null) {
        arrived.push(incident);
      }
    }
    return { red, arrived };
  }
}
