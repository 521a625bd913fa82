// @ts-check
import { clockText } from './i18n.js';
import { incidentTitle } from './incident-list.js';
import { reconcileList } from './keyed-list.js';

/** @typedef {import('./brigade-state.js').BrigadeState} BrigadeState */
/** @typedef {import('./wall-state.js').IncidentState} IncidentState */
/** @typedef {import('./i18n.js').I18n} I18n */

/** Place and zone as one line, or the device when neither is known. @param {IncidentState} incident */
export function whereText(incident) {
  return [incident.place, incident.zone].filter(Boolean).join(' · ');
}

/**
 * The console's incident list: fire incidents, most severe then newest first,
 * each with how long ago the alarm came, who acknowledged it, the patrol
 * teams sent with their status and ETA, and the acknowledge button. Cards
 * are kept by id and updated in place, so a redraw never steals a focused
 * button; clicking a card selects it for the map and camera list.
 */
export class BrigadeIncidentList {
  /**
   * @param {{ list: HTMLOListElement, empty: HTMLElement, count: HTMLElement, template: HTMLTemplateElement, i18n: I18n,
   *   onSelect: (id: number) => void, onAck: (id: number, button: HTMLButtonElement) => void }} options
   */
  constructor(options) {
    this.options = options;
    /** @type {Map<number, HTMLLIElement>} */
    this.cards = new Map();
    options.list.addEventListener('click', (event) => {
      const target = /** @type {HTMLElement} */ (event.target);
      const card = /** @type {HTMLElement|null} */ (target.closest('[data-incident-id]'));
      if (!card) return;
      const id = Number(card.dataset.incidentId);
      const button = /** @type {HTMLButtonElement|null} */ (target.closest('button[data-action="ack"]'));
      if (button) options.onAck(id, button);
      else options.onSelect(id);
    });
    options.list.addEventListener('keydown', (event) => {
      const target = /** @type {HTMLElement} */ (event.target);
      if ((event.key === 'Enter' || event.key === ' ') && target.matches('[data-incident-id]')) {
        event.preventDefault();
        options.onSelect(Number(target.dataset.incidentId));
      }
    });
  }

  /** @param {BrigadeState} state @param {number} now @param {number|undefined} selected */
  render(state, now, selected) {
    const { list, empty, count, i18n } = this.options;
    const incidents = state.sortedIncidents();
    reconcileList(list, this.cards, incidents, (incident) => incident.id, (id) => this.create(id), (card, incident) => this.fill(card, incident, state, selected));
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

  /** @param {HTMLLIElement} card @param {IncidentState} incident @param {BrigadeState} state @param {number|undefined} selected */
  fill(card, incident, state, selected) {
    const { i18n } = this.options;
    card.className = `incident sev-${incident.severity}${incident.id === selected ? ' selected' : ''}${incident.acknowledgedAt === null ? ' unacked' : ''}`;
    card.dataset.status = incident.status;
    card.dataset.severity = incident.severity;
    if (incident.id === selected) card.setAttribute('aria-current', 'true');
    else card.removeAttribute('aria-current');
    part(card, 'severity').textContent = i18n.t(`severity.${incident.severity}`);
    part(card, 'title').textContent = incidentTitle(i18n, incident);
    part(card, 'where').textContent = whereText(incident) || i18n.t('brigade.where.unknown');
    part(card, 'status').textContent = i18n.t(`status.${incident.status}`);
    part(card, 'confirmed').hidden = !(incident.kind === 'fire' && incident.severity === 'red');
    part(card, 'pushed').hidden = !incident.brigadeNotified;
    part(card, 'risk').hidden = !incident.targetAtRisk;
    const acked = part(card, 'acked');
    acked.hidden = incident.acknowledgedAt === null;
    acked.textContent = incident.acknowledgedAt === null ? '' : i18n.t('incident.acknowledged', { who: incident.acknowledgedBy ?? '', time: i18n.time(incident.acknowledgedAt) });
    /** @type {HTMLButtonElement} */ (card.querySelector('[data-action="ack"]')).hidden = incident.acknowledgedAt !== null;
    fillTeams(part(card, 'teams'), incident, state, i18n);
  }

  /** Elapsed clocks and ETAs move with time, not with batches. @param {BrigadeState} state @param {number} now */
  tick(state, now) {
    const { i18n } = this.options;
    for (const [id, card] of this.cards) {
      const incident = state.incidents.get(id);
      if (!incident) continue;
      part(card, 'elapsed').textContent = i18n.t('brigade.elapsed', { time: clockText((now - incident.openedAt) / 1000) });
      tickTeams(card, now, i18n);
    }
  }
}

/**
 * The patrol teams of an incident: each live order with the team, the team's
 * own status, the order's state, its ETA (counting down from when it was
 * sent) and the road distance.
 * @param {HTMLElement} list @param {IncidentState} incident @param {BrigadeState} state @param {I18n} i18n
 */
export function fillTeams(list, incident, state, i18n) {
  list.replaceChildren();
  if (incident.orders.length === 0) {
    const line = document.createElement('li');
    line.className = 'no-team';
    line.textContent =
      incident.arrivedAt !== null && incident.teamId ? i18n.t('team.arrivedLine', { team: state.teams.get(incident.teamId)?.name ?? incident.teamId }) : i18n.t('team.none');
    list.append(line);
    return;
  }
  for (const order of incident.orders) {
    const team = state.teams.get(order.teamId);
    const line = document.createElement('li');
    line.dataset.orderId = String(order.id);
    line.dataset.teamId = order.teamId;
    line.dataset.orderStatus = order.status;
    line.dataset.due = String(order.sentAt + order.etaSeconds * 1000);
    const name = document.createElement('span');
    name.className = 'team-name';
    name.textContent = team?.name ?? order.teamId;
    const status = document.createElement('span');
    status.className = 'order-status';
    status.textContent = i18n.t(`order.${order.status}`);
    const teamStatus = document.createElement('span');
    teamStatus.className = 'team-status';
    teamStatus.textContent = team ? i18n.t(`teamStatus.${team.status}`) : '';
    const eta = document.createElement('span');
    eta.className = 'eta';
    eta.dataset.part = 'eta';
    const distance = document.createElement('span');
    distance.className = 'distance';
    distance.textContent = i18n.t('team.distance', { km: Math.round(order.distanceM / 100) / 10 });
    line.append(name, status, teamStatus, eta, distance);
    list.append(line);
  }
}

/** @param {HTMLElement} root @param {number} now @param {I18n} i18n */
export function tickTeams(root, now, i18n) {
  for (const eta of root.querySelectorAll('[data-part="eta"]')) {
    const line = /** @type {HTMLElement} */ (eta.parentElement);
    if (line.dataset.orderStatus === 'arrived') {
      eta.textContent = '';
      continue;
    }
    const left = (Number(line.dataset.due) - now) / 1000;
    eta.textContent = left >= 0 ? i18n.t('team.eta', { time: clockText(left) }) : i18n.t('team.etaPassed', { time: clockText(-left) });
  }
}

/** @param {HTMLElement} card @param {string} name @returns {HTMLElement} */
function part(card, name) {
  return /** @type {HTMLElement} */ (card.querySelector(`[data-part="${name}"]`));
}
