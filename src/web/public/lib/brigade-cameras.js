// @ts-check
/**
 * The cameras nearest the selected incident and their health: which pictures
 * of the scene the brigade can trust. The list (nearest first, distances) comes
 * from `GET /api/incidents/:id/nearby-cameras`; health then follows the live
 * feed, so a camera going dark or coming back shows at once, with the wall's
 * rule: named by an open incident → alarm, else the registry's online flag.
 * A camera covered by an active maintenance window (the feed's `maintenance`
 * column) says so instead of a bare "offline", and gets the wall's dashed ring.
 */
import { strokeMaintenance } from './map-view.js';
import { maintenanceTime } from './maintenance-panel.js';

/** @typedef {import('./brigade-state.js').BrigadeState} BrigadeState */
/** @typedef {import('./wall-state.js').IncidentState} IncidentState */
/** @typedef {import('./map-view.js').MapView} MapView */
/** @typedef {import('./i18n.js').I18n} I18n */
/** @typedef {import('./wall-state.js').MaintenanceWindow} MaintenanceWindow */
/**
 * @typedef {{ id: string, name: string|null, lon: number, lat: number, place: string|null, zone: string|null, distanceM: number,
 *   state: 'alarm'|'online'|'offline', online: boolean, disabled: boolean, lastSeenAt: number|null, offlineReason: string|null, incidentIds: number[] }} NearbyCamera
 */
/** @typedef {{ incidentId: number, origin: { lon: number, lat: number }|null, candidates: number, cameras: NearbyCamera[] }} NearbyAnswer */

export const CAMERA_STATE_COLOR = { online: '#3fb950', offline: '#6e7681', alarm: '#ff4d4f' };
export const NEARBY_LIMIT = 5;

/**
 * A camera's health now: the feed's picture when it has the camera, else what the API said.
 * @param {NearbyCamera} camera @param {BrigadeState} state
 * `maintenance`: the id of the active window covering it (from the feed), `window` that window when the feed listed it.
 * @returns {{ state: 'alarm'|'online'|'offline', lastSeenAt: number|null, maintenance: number|null, window: MaintenanceWindow|undefined }}
 */
export function liveHealth(camera, state) {
  const device = state.devices.get(camera.id);
  const online = device ? device.online : camera.online;
  const alarmed = state.columns ? state.alarmDevices.has(camera.id) : camera.state === 'alarm';
  const maintenance = device?.maintenance ?? null;
  const covering = maintenance === null ? undefined : state.maintenance.find((w) => w.id === maintenance);
  return { state: alarmed ? 'alarm' : online ? 'online' : 'offline', lastSeenAt: device?.lastSeenAt ?? camera.lastSeenAt, maintenance, window: covering };
}

/** @param {I18n} i18n @param {ReturnType<typeof liveHealth>} health @param {boolean} disabled @param {number} now */
function stateText(i18n, health, disabled, now) {
  const { state, window: covering } = health;
  if (state === 'alarm') return i18n.t('brigade.camera.alarm');
  // Dark because someone is working on it, not because someone cut it.
  if (state === 'offline' && health.maintenance !== null) {
    return covering ? i18n.t('brigade.camera.maintenance', { until: maintenanceTime(i18n, covering.endsAt, now), reason: covering.reason }) : i18n.t('brigade.camera.maintenanceOpen');
  }
  if (disabled) return i18n.t('brigade.camera.disabled');
  return state === 'online' ? i18n.t('brigade.camera.online') : i18n.t('brigade.camera.offline');
}

export class NearbyCameras {
  /**
   * @param {{ body: HTMLTableSectionElement, table: HTMLElement, summary: HTMLElement, note: HTMLElement, i18n: I18n, onUnauthorized: () => void }} options
   */
  constructor(options) {
    this.options = options;
    /** @type {number|undefined} */
    this.incidentId = undefined;
    /** @type {NearbyAnswer|undefined} */
    this.answer = undefined;
    /** @type {number|undefined} HTTP status of the last failed load (0: network) */
    this.failed = undefined;
    /** Bumped on every change of what is shown, so the map overlay knows to redraw. */
    this.version = 0;
    this.loads = 0;
  }

  /** @param {number|undefined} incidentId */
  async load(incidentId) {
    if (incidentId !== this.incidentId) {
      this.incidentId = incidentId;
      this.answer = undefined;
      this.failed = undefined;
      this.version += 1;
    }
    if (incidentId === undefined) return;
    let response;
    try {
      response = await fetch(`/api/incidents/${incidentId}/nearby-cameras?limit=${NEARBY_LIMIT}`, { credentials: 'same-origin' });
    } catch {
      if (incidentId === this.incidentId) this.failed = 0;
      return;
    }
    if (response.status === 401) return this.options.onUnauthorized();
    if (incidentId !== this.incidentId) return;
    if (!response.ok) {
      // An incident closed meanwhile answers 200 still; a 404 means it is gone — keep what was shown.
      this.failed = response.status;
      this.version += 1;
      return;
    }
    this.answer = /** @type {NearbyAnswer} */ (await response.json());
    this.failed = undefined;
    this.loads += 1;
    this.version += 1;
  }

  /** @param {BrigadeState} state */
  render(state) {
    const { body, table, summary, note, i18n } = this.options;
    const answer = this.answer;
    const cameras = answer?.cameras ?? [];
    const now = Date.now();
    let online = 0;
    const rows = cameras.map((camera, index) => {
      const health = liveHealth(camera, state);
      if (health.state !== 'offline') online += 1;
      const row = document.createElement('tr');
      row.dataset.cameraId = camera.id;
      row.dataset.state = health.state;
      if (health.maintenance !== null) row.dataset.maintenance = String(health.maintenance);
      const number = document.createElement('td');
      number.className = 'number';
      number.textContent = String(index + 1);
      const name = document.createElement('td');
      name.className = 'camera';
      const label = document.createElement('span');
      label.textContent = camera.name ?? camera.id;
      name.append(label);
      if (camera.name) {
        const id = document.createElement('small');
        id.textContent = camera.id;
        name.append(id);
      }
      const distance = document.createElement('td');
      distance.className = 'distance';
      distance.textContent = i18n.t('brigade.cameras.distance', { m: camera.distanceM });
      const status = document.createElement('td');
      const badge = document.createElement('span');
      badge.className = 'camera-state';
      badge.dataset.state = health.state;
      badge.textContent = stateText(i18n, health, camera.disabled, now);
      if (health.maintenance !== null) badge.dataset.maintenance = String(health.maintenance);
      status.append(badge);
      if (health.window) {
        const reason = document.createElement('small');
        reason.className = 'maintenance-reason';
        reason.textContent = health.window.reason;
        status.append(reason);
      }
      const seen = document.createElement('td');
      seen.className = 'seen';
      seen.textContent = health.lastSeenAt === null ? i18n.t('brigade.cameras.never') : i18n.dateTime(health.lastSeenAt);
      row.append(number, name, distance, status, seen);
      return row;
    });
    body.replaceChildren(...rows);
    table.hidden = rows.length === 0;
    summary.textContent = answer && cameras.length > 0 ? i18n.t('brigade.cameras.summary', { online, total: cameras.length }) : '';
    let text = '';
    if (this.failed !== undefined) text = i18n.t('brigade.cameras.error', { status: this.failed || '—' });
    else if (answer && answer.origin === null) text = i18n.t('brigade.cameras.noPosition');
    else if (answer && cameras.length === 0) text = i18n.t('brigade.cameras.none');
    note.textContent = text;
    note.hidden = text === '';
  }
}

/**
 * The console's own layer over the shared map: a ring on the selected
 * incident and the nearby cameras numbered as in the list, in their health
 * colour. Redrawn only when the selection, the cameras or the projection change.
 */
export class NearbyOverlay {
  /** @param {MapView} map */
  constructor(map) {
    this.map = map;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'layer layer-nearby';
    map.container.append(this.canvas);
    this.drawn = '';
  }

  /** @param {BrigadeState} state @param {IncidentState|undefined} incident @param {NearbyCameras} cameras @param {number} now */
  render(state, incident, cameras, now) {
    const { map } = this;
    const answer = cameras.answer && cameras.answer.incidentId === incident?.id ? cameras.answer : undefined;
    const health = answer
      ? answer.cameras
          .map((camera) => {
            const live = liveHealth(camera, state);
            return `${live.state}/${live.maintenance}`;
          })
          .join(',')
      : '';
    // The selection ring pulses slowly: redraw twice a second while an incident is selected.
    const beat = incident ? Math.floor(now / 500) % 2 : 0;
    const key = `${map.pv}|${map.width}x${map.height}@${map.dpr}|${incident?.id}|${incident?.lon},${incident?.lat}|${cameras.version}|${health}|${beat}`;
    if (key === this.drawn) return;
    this.drawn = key;
    const width = Math.max(1, Math.round(map.width * map.dpr));
    const height = Math.max(1, Math.round(map.height * map.dpr));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const ctx = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext('2d'));
    ctx.setTransform(map.dpr, 0, 0, map.dpr, 0, 0);
    ctx.clearRect(0, 0, map.width, map.height);
    if (!incident) return;
    const at = map.incidentPosition(state, incident);
    if (answer && at) {
      ctx.setLineDash([4, 4]);
      ctx.strokeStyle = 'rgba(230, 237, 243, 0.35)';
      ctx.lineWidth = 1;
      for (const camera of answer.cameras) {
        const [x, y] = map.project(camera.lon, camera.lat);
        ctx.beginPath();
        ctx.moveTo(at[0], at[1]);
        ctx.lineTo(x, y);
        ctx.stroke();
      }
      ctx.setLineDash([]);
    }
    if (answer) {
      ctx.font = 'bold 11px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      // The wall's dashed maintenance ring, outside the numbered disc (which hides the map's own).
      const rings = new Path2D();
      answer.cameras.forEach((camera, index) => {
        const [x, y] = map.project(camera.lon, camera.lat);
        const live = liveHealth(camera, state);
        const color = CAMERA_STATE_COLOR[live.state];
        if (live.maintenance !== null) {
          rings.moveTo(x + 13, y);
          rings.arc(x, y, 13, 0, Math.PI * 2);
        }
        ctx.beginPath();
        ctx.arc(x, y, 9, 0, Math.PI * 2);
        ctx.fillStyle = color;
        ctx.fill();
        ctx.strokeStyle = '#0b1016';
        ctx.lineWidth = 2;
        ctx.stroke();
        ctx.fillStyle = '#0b1016';
        ctx.fillText(String(index + 1), x, y + 0.5);
      });
      strokeMaintenance(ctx, rings);
    }
    if (at) {
      ctx.beginPath();
      ctx.arc(at[0], at[1], beat ? 22 : 18, 0, Math.PI * 2);
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }
}
