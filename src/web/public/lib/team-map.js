// @ts-check
/**
 * The team page's small map: the wall's MapView (site GeoJSON on canvases, no tiles) fed with a
 * WallState that holds only this team's order — the incident, the route and the team's live
 * position — and framed on them rather than on the whole village.
 */
import { MapView } from './map-view.js';
import { WallState } from './wall-state.js';
import { focusBox } from './team-order.js';

/** @typedef {import('./team-order.js').TeamOrderView} TeamOrderView */
/** @typedef {import('./wall-state.js').IncidentState} IncidentState */

/** Redraws per second while an order animates its route (a phone's battery matters more than smooth dashes). */
const ANIMATION_FPS = 12;

export class TeamMap {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.view = new MapView(container);
    this.state = new WallState();
    /** @type {any} */
    this.site = null;
    this.focusKey = '';
    /** The box framed now, or null for the whole site. @type {[number, number, number, number]|null} */
    this.frame = null;
    this.lastDraw = 0;
  }

  /** @param {any} site the `/api/site` answer */
  setSite(site) {
    this.site = site;
    this.focusKey = '';
    this.refocus(null);
  }

  /**
   * The order (or none) and the team's position, as the last poll gave them.
   * @param {TeamOrderView} view
   */
  update(view) {
    const { order, team, settings } = view;
    const state = this.state;
    state.settings = { ...state.settings, targetSeconds: settings.targetSeconds, teamStaleAfterMs: settings.teamStaleAfterMs };
    state.incidents.clear();
    if (order) {
      const i = order.incident;
      /** @type {IncidentState} */
      const incident = {
        id: i.id,
        ruleId: i.ruleId,
        key: i.key,
        severity: i.severity,
        status: i.status,
        title: i.title,
        summary: '',
        kind: i.kind,
        site: '',
        deviceId: i.deviceId,
        place: i.place,
        zone: i.zone,
        lon: i.lon,
        lat: i.lat,
        openedAt: i.openedAt,
        updatedAt: i.openedAt,
        acknowledgedAt: null,
        acknowledgedBy: null,
        teamId: team?.id ?? null,
        etaSeconds: order.etaSeconds,
        targetAtRisk: i.targetAtRisk,
        brigadeNotified: i.brigadeNotified,
        dispatchedAt: i.dispatchedAt,
        acceptedAt: i.acceptedAt,
        arrivedAt: i.arrivedAt,
        closedAt: null,
        responseSeconds: i.responseSeconds,
        note: null,
        updates: 0,
        orders:
          order.status === 'arrived'
            ? []
            : [{ id: order.orderId, teamId: team?.id ?? '', status: order.status, sentAt: order.sentAt, ackDeadline: order.ackDeadline, etaSeconds: order.etaSeconds, distanceM: order.distanceM, route: order.route }],
      };
      state.incidents.set(incident.id, incident);
    }
    state.teams.clear();
    if (team) state.teams.set(team.id, { ...team });
    state.changed.incidents = true;
    state.changed.teams = true;
    this.refocus(view);
  }

  /**
   * Frames the order (route, incident, team) or, without one, the team's surroundings; again only
   * when the order changes or the team leaves the frame, so the map does not jump at every poll.
   * @param {TeamOrderView|null} view
   */
  refocus(view) {
    if (!this.site) return;
    const order = view?.order ?? null;
    const team = view?.team ?? null;
    const at = team && team.lon !== null && team.lat !== null ? [team.lon, team.lat] : null;
    const key = order ? `order:${order.orderId}` : at ? 'team' : 'site';
    const f = this.frame;
    const outside = f !== null && at !== null && (at[0] < f[0] || at[0] > f[2] || at[1] < f[1] || at[1] > f[3]);
    if (key === this.focusKey && !outside) return;
    this.focusKey = key;
    this.frame = key === 'site' ? null : focusBox(order, team, order ? 400 : 800);
    this.view.setSite({ ...this.site, bbox: this.frame ?? this.site.bbox });
  }

  /** Draws when due: every frame-ish while an order's route animates, else once a second. @param {number} now */
  draw(now) {
    const animating = this.state.incidents.size > 0;
    if (!this.state.changed.incidents && !this.state.changed.teams && now - this.lastDraw < (animating ? 1000 / ANIMATION_FPS : 1000)) return;
    this.lastDraw = now;
    this.view.render(this.state, now);
    this.state.changed.incidents = false;
    this.state.changed.teams = false;
    this.state.changed.devices = false;
  }
}
