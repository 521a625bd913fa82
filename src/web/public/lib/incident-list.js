// @ts-check
import { clockText } from './i18n.js';
import { reconcileList } from './keyed-list.js';

/** @typedef {import('./wall-state.js').WallState} WallState */
/** @typedef {import('./wall-state.js').IncidentState} IncidentState */
/** @typedef {import('./i18n.js').I18n} I18n */

/**
 * The incident's title in the page's language: the catalogue's wording of
 * its rule (`rule.<ruleId>`), or the gateway's own title for a rule the
 * catalogue does not know (an operator's custom rule).
 * @param {I18n} i18n
 * @param {{ ruleId?: string, title?: string, place?: string|null, zone?: string|null, deviceId?: string, key?: string }} subject
 */
export function incidentTitle(i18n, subject) {
  const key = `rule.${subject.ruleId}`;
  if (!subject.ruleId || !i18n.has(key)) return subject.title ?? '';
  return i18n.t(key, {
    where: subject.place ?? subject.zone ?? subject.deviceId ?? '',
    place: subject.place ?? '',
    zone: subject.zone ?? '',
    device: subject.deviceId ?? '',
    key: subject.key ?? '',
  });
}

/**
 * Open incidents, most severe first, each with its clock against the
 * arrival target, its teams and the operator's actions. Cards are kept by
 * incident id, so a batch updates them in place and a half-typed note or
 * focused button is never thrown away by a redraw.
 */
export class IncidentList {
  /**
   * @param {{ list: HTMLOListElement, empty: HTMLElement, count: HTMLElement, template: HTMLTemplateElement, i18n: I18n, onAction: (action: string, id: number) => void }} options
   */
  constructor(options) {
    this.options = options;
    /** @type {Map<number, HTMLLIElement>} */
    this.cards = new Map();
    options.list.addEventListener('click', (event) => {
      const button = /** @type {HTMLElement} */ (event.target).closest('button[data-action]');
      const card = button?.closest('[data-incident-id]');
      if (!button || !card) return;
      options.onAction(/** @type {HTMLElement} */ (button).dataset.action ?? '', Number(/** @type {HTMLElement} */ (card).dataset.incidentId));
    });
  }

  /** @param {WallState} state @param {number} now */
  render(state, now) {
    const { list, empty, count, i18n } = this.options;
    const incidents = state.sortedIncidents();
    reconcileList(list, this.cards, incidents, (incident) => incident.id, (id) => this.create(id), (card, incident) => this.fill(card, incident, state));
    empty.hidden = incidents.length > 0;
    count.textContent = i18n.t('incidents.count', { count: incidents.length });
    this.tick(state, now);
  }

  /** @param {number} id */
  create(id) {
    const card = /** @type {HTMLLIElement} */ (/** @type {DocumentFragment} */ (this.options.template.content.cloneNode(true)).firstElementChild);
    card.dataset.incidentId = String(id);
    this.options.i18n.apply(card);
    return card;
  }

  /** @param {HTMLLIElement} card @param {IncidentState} incident @param {WallState} state */
  fill(card, incident, state) {
    const { i18n } = this.options;
    card.className = `incident sev-${incident.severity}`;
    card.dataset.status = incident.status;
    part(card, 'severity').textContent = i18n.t(`severity.${incident.severity}`);
    part(card, 'title').textContent = incidentTitle(i18n, incident);
    part(card, 'where').textContent = [incident.place, incident.zone].filter(Boolean).join(' · ') || incident.deviceId;
    part(card, 'status').textContent = i18n.t(`status.${incident.status}`);
    part(card, 'opened').textContent = i18n.t('incident.openedAt', { time: i18n.time(incident.openedAt) });
    const acked = part(card, 'acked');
    acked.hidden = incident.acknowledgedAt === null;
    acked.textContent = incident.acknowledgedAt === null ? '' : i18n.t('incident.acknowledged', { who: incident.acknowledgedBy ?? '', time: i18n.time(incident.acknowledgedAt) });
    part(card, 'risk').hidden = !incident.targetAtRisk;
    part(card, 'brigade').hidden = !incident.brigadeNotified;
    const repeats = part(card, 'repeats');
    repeats.hidden = incident.updates === 0;
    repeats.textContent = i18n.t('incident.repeats', { count: incident.updates });
    /** @type {HTMLButtonElement} */ (card.querySelector('[data-action="ack"]')).hidden = incident.acknowledgedAt !== null;

    const teams = part(card, 'teams');
    teams.replaceChildren();
    if (incident.orders.length === 0) {
      const line = document.createElement('li');
      line.className = 'no-team';
      line.textContent = incident.arrivedAt !== null && incident.teamId ? i18n.t('team.arrivedLine', { team: state.teams.get(incident.teamId)?.name ?? incident.teamId }) : i18n.t('team.none');
      teams.append(line);
    }
    for (const order of incident.orders) {
      const line = document.createElement('li');
      line.dataset.orderId = String(order.id);
      line.dataset.due = String(order.sentAt + order.etaSeconds * 1000);
      const name = document.createElement('span');
      name.className = 'team-name';
      name.textContent = state.teams.get(order.teamId)?.name ?? order.teamId;
      const status = document.createElement('span');
      status.className = 'order-status';
      status.textContent = i18n.t(`order.${order.status}`);
      const eta = document.createElement('span');
      eta.className = 'eta';
      eta.dataset.part = 'eta';
      const distance = document.createElement('span');
      distance.className = 'distance';
      distance.textContent = i18n.t('team.distance', { km: Math.round(order.distanceM / 100) / 10 });
      line.append(name, status, eta, distance);
      teams.append(line);
    }
  }

  /** Clocks and ETAs move with time, not with batches. @param {WallState} state @param {number} now */
  tick(state, now) {
    const { i18n } = this.options;
    const target = state.settings.targetSeconds;
    for (const [id, card] of this.cards) {
      const incident = state.incidents.get(id);
      if (!incident) continue;
      const clock = part(card, 'clock');
      const bar = part(card, 'bar');
      const stopped = incident.arrivedAt !== null;
      const elapsed = ((stopped ? /** @type {number} */ (incident.arrivedAt) : now) - incident.openedAt) / 1000;
      const late = elapsed > target;
      clock.textContent = stopped
        ? i18n.t('clock.arrived', { time: clockText(elapsed) })
        : late
          ? i18n.t('clock.over', { time: clockText(elapsed - target) })
          : i18n.t('clock.remaining', { time: clockText(target - elapsed) });
      clock.dataset.state = stopped ? (late ? 'missed' : 'met') : late ? 'late' : 'running';
      bar.style.width = `${Math.min(100, (elapsed / target) * 100).toFixed(1)}%`;
      bar.dataset.state = clock.dataset.state;
      for (const eta of card.querySelectorAll('[data-part="eta"]')) {
        const due = Number(/** @type {HTMLElement} */ (eta.parentElement).dataset.due);
        const left = (due - now) / 1000;
        eta.textContent = left >= 0 ? i18n.t('team.eta', { time: clockText(left) }) : i18n.t('team.etaPassed', { time: clockText(-left) });
      }
    }
  }
}

/** @param {HTMLElement} card @param {string} name @returns {HTMLElement} */
function part(card, name) {
  return /** @type {HTMLElement} */ (card.querySelector(`[data-part="${name}"]`));
}
