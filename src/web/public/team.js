// @ts-check
/**
 * The patrol team's phone page (docs/team-page.md): the order the team is on — place, severity,
 * the clock against 3:00 since the alarm, ETA, route on a small map of the site with the team's
 * live position — and accept, arrived, resolve with a note. Works beside the tracker: either may
 * accept or report arrival. Polls `GET /api/teams/mine/order` (the live feed is the operators').
 * Plain ES modules, no build step, nothing from outside the gateway.
 */
import { I18n, LOCALES, clockText } from './lib/i18n.js';
import { incidentTitle } from './lib/incident-list.js';
import { SEVERITY_COLOR, TEAM_COLOR } from './lib/map-view.js';
import { TeamApiError, act, fetchIncident, fetchSite, fetchTeamOrder, logOut } from './lib/team-api.js';
import { toLogin } from './lib/session.js';
import { TeamMap } from './lib/team-map.js';
import { allowedActions, etaLeft, targetClock } from './lib/team-order.js';

/** @typedef {import('./lib/team-order.js').TeamOrderView} TeamOrderView */
/** @typedef {import('./lib/team-order.js').TeamOrder} TeamOrder */
/** @typedef {import('./lib/team-order.js').TeamAction} TeamAction */

/** Every 2 s while the page is on screen; slower in a pocket (the tracker still gets orders over MQTT). */
const POLL_MS = 2000;
const HIDDEN_POLL_MS = 10_000;
const MAX_RETRY_MS = 10_000;
const TICK_MS = 250;
const MAX_TOASTS = 3;
const CLOSED = new Set(['resolved', 'cancelled']);

/** @template T @param {string} selector @returns {T} */
const $ = (selector) => /** @type {T} */ (/** @type {unknown} */ (document.querySelector(selector)));
/** @param {string} selector */
const el = (selector) => /** @type {HTMLElement} */ ($(selector));

async function main() {
  const i18n = new I18n('Asia/Shanghai', 'team');
  await i18n.use(I18n.initialLocale());
  const map = new TeamMap(el('#map'));

  /** @type {TeamOrderView|null} */
  let view = null;
  /** Gateway time minus this phone's time. */
  let offset = 0;
  let lastOk = 0;
  let failures = 0;
  /** @type {'connecting'|'live'|'lost'|'refused'} */
  let conn = 'connecting';
  let busy = false;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let pollTimer;
  /** Incidents this phone closed itself: their end needs no explaining. */
  const closedHere = new Set();
  const now = () => Date.now() + offset;

  const toasts = el('#toasts');
  /** @param {string} text @param {'error'|'info'|'alert'} [kind] */
  const notify = (text, kind = 'info') => {
    const toast = document.createElement('div');
    toast.className = `toast ${kind}`;
    toast.textContent = text;
    toasts.append(toast);
    // A phone screen holds a few: the oldest make way, and a tap dismisses one.
    while (toasts.children.length > MAX_TOASTS) toasts.firstElementChild?.remove();
    toast.addEventListener('click', () => toast.remove());
    setTimeout(() => toast.remove(), kind === 'info' ? 4000 : 9000);
  };

  // ---- what the order says (redrawn on each poll and on a language switch) ----
  const orderBox = el('#order');
  const noOrder = el('#no-order');
  const actions = el('#actions');
  const buttons = el('#buttons');
  const resolveForm = /** @type {HTMLFormElement} */ ($('#resolve-form'));
  const note = /** @type {HTMLTextAreaElement} */ ($('#note'));
  const resolveError = el('#resolve-error');
  /** @type {Record<TeamAction, HTMLButtonElement>} */
  const actionButtons = { accept: $('#accept'), arrived: $('#arrived'), resolve: $('#resolve') };

  const legend = () => {
    /** @param {string} color @param {string} shape @param {string} text */
    const entry = (color, shape, text) => {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = `swatch ${shape}`;
      swatch.style.setProperty('--color', color);
      const label = document.createElement('span');
      label.textContent = text;
      item.append(swatch, label);
      return item;
    };
    const severity = view?.order?.incident.severity ?? 'orange';
    el('#legend').replaceChildren(
      entry(TEAM_COLOR.dispatched, 'dot', i18n.t('team.legend.team')),
      entry('#f0883e', 'dash', i18n.t('team.legend.route')),
      entry(SEVERITY_COLOR[severity], 'ring', i18n.t('team.legend.incident')),
    );
  };

  const render = () => {
    const order = view?.order ?? null;
    const team = view?.team ?? null;
    el('#team-name').textContent = team ? team.name : '';
    noOrder.hidden = order !== null || view === null;
    orderBox.hidden = order === null;
    actions.hidden = order === null;
    if (order) {
      const incident = order.incident;
      orderBox.className = `order sev-${incident.severity}`;
      orderBox.dataset.status = order.status;
      orderBox.dataset.incidentId = String(incident.id);
      el('#severity').textContent = i18n.t(`severity.${incident.severity}`);
      el('#incident-no').textContent = i18n.t('team.order.number', { id: incident.id });
      el('#order-status').textContent = i18n.t(`order.${order.status}`);
      el('#title').textContent = incidentTitle(i18n, incident);
      el('#where').textContent = [incident.place, incident.zone].filter(Boolean).join(' · ') || incident.deviceId;
      el('#distance').textContent = i18n.t('team.order.distance', { distance: i18n.t('team.distance', { km: Math.round(order.distanceM / 100) / 10 }) });
      el('#alarm-at').textContent = i18n.t('incident.openedAt', { time: i18n.time(incident.openedAt) });
      el('#sent-at').textContent = i18n.t('team.order.sentAt', { time: i18n.time(order.sentAt) });
      el('#risk').hidden = !incident.targetAtRisk;
      el('#brigade').hidden = !incident.brigadeNotified;
    } else {
      delete orderBox.dataset.incidentId;
      delete orderBox.dataset.status;
      resolveForm.hidden = true;
    }
    const allowed = allowedActions(order);
    // The step the order waits for stands out: accept, then arrived, then resolve.
    const next = order?.status === 'sent' ? 'accept' : order?.status === 'accepted' ? 'arrived' : 'resolve';
    for (const [action, button] of Object.entries(actionButtons)) {
      button.disabled = busy || !allowed[/** @type {TeamAction} */ (action)];
      button.classList.toggle('primary', action === next);
    }
    buttons.hidden = !resolveForm.hidden;
    legend();
    tick();
  };

  // ---- what moves with time (every 250 ms) ----
  const tick = () => {
    const at = now();
    const order = view?.order ?? null;
    if (order && view) {
      const clock = targetClock(order.incident, view.settings.targetSeconds, at);
      const target = view.settings.targetSeconds;
      const clockEl = el('#clock');
      clockEl.textContent =
        clock.state === 'met' || clock.state === 'missed'
          ? i18n.t('clock.arrived', { time: clockText(clock.elapsed) })
          : clock.state === 'late'
            ? i18n.t('clock.over', { time: clockText(clock.elapsed - target) })
            : i18n.t('clock.remaining', { time: clockText(clock.remaining) });
      clockEl.dataset.state = clock.state;
      const bar = el('#bar');
      bar.style.width = `${(clock.share * 100).toFixed(1)}%`;
      bar.dataset.state = clock.state;
      const eta = el('#eta');
      eta.hidden = order.status === 'arrived';
      const left = etaLeft(order, at);
      eta.textContent = left >= 0 ? i18n.t('team.eta', { time: clockText(left) }) : i18n.t('team.etaPassed', { time: clockText(-left) });
      const deadline = el('#deadline');
      deadline.hidden = order.status !== 'sent';
      const toAccept = (order.ackDeadline - at) / 1000;
      deadline.textContent = toAccept > 0 ? i18n.t('team.order.acceptWithin', { seconds: Math.ceil(toAccept) }) : i18n.t('team.order.acceptOverdue');
      deadline.dataset.state = toAccept > 10 ? 'ok' : 'urgent';
    }
    const team = view?.team ?? null;
    const position = el('#position');
    if (!view) position.textContent = '';
    else if (!team) position.textContent = i18n.t('team.position.noTeam');
    else {
      const status = i18n.t('team.teamStatus', { status: i18n.t(`teamStatus.${team.status}`) });
      const age = team.lastSeenAt === null ? Infinity : (at - team.lastSeenAt) / 1000;
      const fix =
        team.lon === null || team.lastSeenAt === null
          ? i18n.t('team.position.none')
          : age * 1000 > view.settings.teamStaleAfterMs
            ? i18n.t('team.position.stale', { time: clockText(age) })
            : i18n.t('team.position.seen', { time: i18n.time(team.lastSeenAt) });
      position.textContent = `${status} · ${fix}`;
      position.dataset.stale = String(age * 1000 > view.settings.teamStaleAfterMs);
    }
    const connEl = el('#conn');
    connEl.dataset.state = conn;
    connEl.textContent =
      conn === 'live'
        ? i18n.t('team.conn.live', { time: i18n.time(lastOk + offset) })
        : conn === 'lost'
          ? i18n.t('team.conn.lost', { time: lastOk ? i18n.time(lastOk + offset) : i18n.t('conn.never') })
          : conn === 'refused'
            ? i18n.t('team.error.noTeam')
            : i18n.t('conn.connecting');
    document.body.classList.toggle('lost', conn === 'lost');
  };

  // ---- the order from the gateway ----
  /** Why an order this phone was showing is gone: closed, not accepted in time, stood down. @param {TeamOrder} order */
  const explainEnd = async (order) => {
    const id = order.incident.id;
    if (closedHere.has(id)) return;
    try {
      const detail = await fetchIncident(id);
      const status = String(detail.incident.status);
      const mine = (detail.dispatches ?? []).find((/** @type {{ id: number }} */ d) => d.id === order.orderId);
      if (CLOSED.has(status)) notify(i18n.t('team.ended.closed', { id, status: i18n.t(`status.${status}`) }), 'alert');
      else if (mine?.status === 'timeout') notify(i18n.t('team.ended.timeout', { id }), 'alert');
      else if (mine?.status === 'declined') notify(i18n.t('team.ended.declined', { id }), 'alert');
      else notify(i18n.t('team.ended.released', { id }), 'alert');
    } catch {
      notify(i18n.t('team.ended.released', { id }), 'alert');
    }
  };

  /** @param {TeamOrderView} next */
  const apply = (next) => {
    const before = view?.order ?? null;
    const after = next.order;
    if (before && (!after || after.orderId !== before.orderId)) void explainEnd(before);
    // Announced when it arrives, or when the page opens on an order still waiting for its accept.
    if (after && (!before || after.orderId !== before.orderId) && (view !== null || after.status === 'sent')) {
      notify(i18n.t('team.newOrder', { title: incidentTitle(i18n, after.incident) }), 'alert');
      resolveForm.hidden = true;
      note.value = '';
      const activation = /** @type {{ userActivation?: { hasBeenActive: boolean } }} */ (navigator).userActivation;
      // A phone buzzes for a new order, once someone has touched the page (browsers refuse it before).
      if (activation?.hasBeenActive && typeof navigator.vibrate === 'function') navigator.vibrate([300, 120, 300]);
    }
    view = next;
    map.update(next);
    render();
  };

  /** One poll at a time: asked while one is on its way, it runs again right after (an action's answer must be seen). */
  let polling = false;
  let pollAgain = false;
  const poll = async () => {
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    clearTimeout(pollTimer);
    /** @type {'stop'|'later'} */
    let afterwards = 'later';
    try {
      const answer = await fetchTeamOrder();
      offset = answer.offset;
      lastOk = Date.now();
      failures = 0;
      conn = 'live';
      apply(answer.view);
    } catch (err) {
      if (err instanceof TeamApiError && err.status === 401) {
        afterwards = 'stop';
        toLogin();
      } else if (err instanceof TeamApiError && err.status === 403) {
        // The account belongs to no team (or is no team account any more): nothing to poll for.
        afterwards = 'stop';
        conn = 'refused';
        render();
      } else {
        failures += 1;
        conn = 'lost';
        tick();
      }
    } finally {
      polling = false;
    }
    if (afterwards === 'stop') return;
    if (pollAgain) {
      pollAgain = false;
      return poll();
    }
    const delay = conn === 'lost' ? Math.min(MAX_RETRY_MS, 1000 * 2 ** (failures - 1)) : document.hidden ? HIDDEN_POLL_MS : POLL_MS;
    pollTimer = setTimeout(() => void poll(), delay);
  };

  const loadSite = async () => {
    try {
      const site = await fetchSite();
      i18n.setTimeZone(site.timeZone);
      map.setSite(site);
      if (view) map.refocus(view);
      render();
    } catch (err) {
      if (err instanceof TeamApiError && err.status === 401) return toLogin();
      setTimeout(() => void loadSite(), 5000);
    }
  };

  // ---- the crew's actions ----
  /** @param {TeamAction} action */
  const label = (action) => (action === 'accept' ? i18n.t('team.action.accept') : action === 'arrived' ? i18n.t('team.action.arrived') : i18n.t('action.resolve'));

  /** @param {TeamAction} action @param {Record<string, string>} [body] */
  const run = async (action, body) => {
    const order = view?.order;
    if (!order || busy) return false;
    const id = order.incident.id;
    busy = true;
    render();
    try {
      if (action === 'resolve') closedHere.add(id);
      await act(action, id, body);
      notify(action === 'accept' ? i18n.t('team.done.accept') : action === 'arrived' ? i18n.t('team.done.arrived') : i18n.t('action.done.resolve', { id }));
      return true;
    } catch (err) {
      if (action === 'resolve') closedHere.delete(id);
      if (!(err instanceof TeamApiError)) throw err;
      if (err.status === 401) {
        toLogin();
        return false;
      }
      notify(
        err.offline
          ? i18n.t('action.offline')
          : err.status === 409
            ? i18n.t('team.error.orderGone', { action: label(action) })
            : err.status === 403
              ? i18n.t('team.error.forbidden', { action: label(action) })
              : i18n.t('action.failed', { action: label(action), status: err.status, message: err.message }),
        'error',
      );
      return false;
    } finally {
      busy = false;
      render();
      // The gateway's answer is the truth for the buttons: ask at once rather than at the next poll.
      await poll();
    }
  };

  buttons.addEventListener('click', (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest('button[data-action]');
    if (!button || /** @type {HTMLButtonElement} */ (button).disabled) return;
    const action = /** @type {TeamAction} */ (/** @type {HTMLElement} */ (button).dataset.action);
    if (action === 'resolve') {
      resolveForm.hidden = false;
      resolveError.hidden = true;
      render();
      note.focus();
      return;
    }
    void run(action);
  });
  el('#resolve-back').addEventListener('click', () => {
    resolveForm.hidden = true;
    render();
  });
  resolveForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = note.value.trim();
    if (!text) {
      resolveError.textContent = i18n.t('dialog.textRequired');
      resolveError.hidden = false;
      note.focus();
      return;
    }
    resolveError.hidden = true;
    if (await run('resolve', { note: text })) {
      note.value = '';
      resolveForm.hidden = true;
      render();
    }
  });

  el('#lang').addEventListener('click', async () => {
    const next = LOCALES[(LOCALES.indexOf(i18n.locale) + 1) % LOCALES.length] ?? 'zh-CN';
    await i18n.use(next);
    render();
  });
  el('#logout').addEventListener('click', async () => {
    await logOut();
    toLogin();
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && conn !== 'refused') void poll();
  });

  render();
  await loadSite();
  await poll();
  setInterval(tick, TICK_MS);
  const frame = () => {
    try {
      map.draw(Date.now());
    } catch (err) {
      console.error(err);
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  Object.assign(window, { __team: { i18n, map, poll, get view() { return view; } } });
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  console.error(err);
  document.body.dataset.ready = 'failed';
});
