// @ts-check
import { incidentTitle } from './incident-list.js';

/** @typedef {import('./wall-state.js').WallState} WallState */
/** @typedef {import('./wall-state.js').TickerEntry} TickerEntry */
/** @typedef {import('./i18n.js').I18n} I18n */

const SHOWN = 40;
const TYPE_SEVERITY = { 'fire-alarm': 'orange', 'camera-dark': 'blue' };

/** The event ticker, newest first: facts from the feed, worded by the catalogue of the moment. */
export class Ticker {
  /** @param {HTMLOListElement} list @param {I18n} i18n */
  constructor(list, i18n) {
    this.list = list;
    this.i18n = i18n;
  }

  /** @param {WallState} state */
  render(state) {
    const items = state.ticker.slice(-SHOWN).reverse().map((entry) => {
      const item = document.createElement('li');
      item.className = `tick sev-${entry.severity ?? TYPE_SEVERITY[/** @type {keyof typeof TYPE_SEVERITY} */ (entry.type)] ?? 'blue'}`;
      item.dataset.type = entry.type;
      const time = document.createElement('time');
      time.dateTime = new Date(entry.at).toISOString();
      time.textContent = this.i18n.time(entry.at);
      const text = document.createElement('span');
      text.textContent = this.text(entry);
      item.append(time, text);
      return item;
    });
    this.list.replaceChildren(...items);
  }

  /** @param {TickerEntry} entry */
  text(entry) {
    const where = entry.place ?? entry.zone ?? entry.deviceId ?? '';
    if (entry.type === 'fire-alarm' || entry.type === 'camera-dark') return this.i18n.t(`ticker.${entry.type}`, { where, device: entry.deviceId ?? '' });
    return this.i18n.t(`ticker.${entry.type}`, {
      id: entry.incidentId ?? '',
      title: incidentTitle(this.i18n, entry),
      severity: this.i18n.t(`severity.${entry.severity ?? 'blue'}`),
      status: entry.status ? this.i18n.t(`status.${entry.status}`) : '',
    });
  }
}
