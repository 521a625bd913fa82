// @ts-check
/**
 * The wall's maintenance list (docs/maintenance.md, docs/wall.md): one line per
 * window active or planned — "maintenance: <reason> until <time> (<where>)" —
 * in the site's time zone. Hidden while there is none. The devices a window
 * covers are marked on the map (map-view.js); this says why.
 */

/** @typedef {import('./wall-state.js').WallState} WallState */
/** @typedef {import('./wall-state.js').MaintenanceWindow} MaintenanceWindow */
/** @typedef {import('./i18n.js').I18n} I18n */
/** @typedef {import('./map-view.js').MapView} MapView */

const DAY_MS = 24 * 3600_000;

/**
 * A window's time as the wall says it: a time today is enough on its own; further away it needs its date.
 * @param {I18n} i18n @param {number} at @param {number} now
 */
export function maintenanceTime(i18n, at, now) {
  return Math.abs(at - now) < DAY_MS ? i18n.time(at) : i18n.dateTime(at);
}

export class MaintenancePanel {
  /** @param {HTMLElement} root @param {I18n} i18n @param {MapView} map where the zone names are */
  constructor(root, i18n, map) {
    this.root = root;
    this.list = /** @type {HTMLUListElement} */ (root.querySelector('ul'));
    this.i18n = i18n;
    this.map = map;
  }

  /** @param {WallState} state @param {number} now */
  render(state, now) {
    const windows = [...state.maintenance].sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active') || a.startsAt - b.startsAt);
    const items = windows.map((w) => {
      const item = document.createElement('li');
      item.dataset.maintenanceId = String(w.id);
      item.dataset.status = w.status;
      const params = { reason: w.reason, where: this.where(state, w), from: this.when(w.startsAt, now), until: this.when(w.endsAt, now) };
      item.textContent = w.status === 'active' ? this.i18n.t('maintenance.active', params) : this.i18n.t('maintenance.upcoming', params);
      return item;
    });
    this.list.replaceChildren(...items);
    this.root.hidden = items.length === 0;
  }

  /** @param {number} at @param {number} now */
  when(at, now) {
    return maintenanceTime(this.i18n, at, now);
  }

  /** @param {WallState} state @param {MaintenanceWindow} w */
  where(state, w) {
    if (w.scope === 'site') return this.i18n.t('maintenance.wholeSite', { site: w.site });
    if (w.scope === 'zone') return this.map.site?.zones.features.find((z) => z.id === w.target)?.properties.name ?? w.target ?? '';
    const device = w.target === null ? undefined : state.devices.get(w.target);
    return device?.name ? `${device.name} (${w.target})` : (w.target ?? '');
  }
}
