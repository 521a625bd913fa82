// @ts-check
/**
 * The fire brigade's console (docs/brigade-console.md): incoming fire
 * incidents with place, map and the nearest cameras' health, the patrol
 * teams sent with their status and ETA, an audible alarm when an incident
 * turns red, and an acknowledge button recorded in the incident's audit
 * trail. Kept live by the same `/ws` feed as the operators' wall.
 * Plain ES modules, no build step, nothing from outside the gateway.
 */
import { BrigadeIncidentList, whereText } from './lib/brigade-incidents.js';
import { NearbyCameras, NearbyOverlay, CAMERA_STATE_COLOR } from './lib/brigade-cameras.js';
import { BrigadeState } from './lib/brigade-state.js';
import { AlertSound } from './lib/brigade-sound.js';
import { connectLivePage } from './lib/live-page.js';
import { toLogin } from './lib/session.js';
import { I18n, LOCALES } from './lib/i18n.js';
import { incidentTitle } from './lib/incident-list.js';
import { BrigadeMap } from './lib/brigade-map.js';
import { HEALTH_COLOR, KIND_STYLE, SEVERITY_COLOR, TEAM_COLOR, legendEntry, legendGlyph, legendSwatch } from './lib/map-view.js';

/** An unacknowledged red incident sounds again this often, until someone acknowledges it. */
const REPEAT_MS = 15_000;
/** The nearby cameras are asked again this often (their health follows the feed in between). */
const CAMERAS_REFRESH_MS = 30_000;
/**
 * The close-up map frames the fire and its nearest few cameras (those that can show the scene;
 * the farther ones are in the list with their distance), with a margin, within these bounds.
 */
const FOCUS_CAMERAS = 3;
const FOCUS_MARGIN = 1.3;
const FOCUS_MIN_RADIUS_M = 120;
const FOCUS_MAX_RADIUS_M = 1500;

/** @template T @param {string} selector @returns {T} */
const $ = (selector) => /** @type {T} */ (/** @type {unknown} */ (document.querySelector(selector)));

/** What the console did, for tests and for anyone checking a console (`window.__brigade.stats`). */
const stats = {
  /** Incidents announced as red (a new red incident, or one that turned red). */
  alerts: 0,
  /** Of those, how many were heard (sound enabled and the audio context running). */
  alertsSounded: 0,
  /** Repeats of the alarm while a red incident stays unacknowledged. */
  repeats: 0,
  /** Chimes for a new incident that is not red. */
  chimes: 0,
  /** Acknowledgements sent from this page. */
  acks: 0,
};

async function main() {
  const i18n = new I18n('Asia/Shanghai', 'brigade');
  await i18n.use(I18n.initialLocale());
  const state = new BrigadeState();
  const sound = new AlertSound();
  const map = new BrigadeMap($('#map'));
  const overlay = new NearbyOverlay(map);
  const toasts = /** @type {HTMLElement} */ ($('#toasts'));
  /** @param {string} text @param {'error'|'info'} [kind] */
  const notify = (text, kind = 'info') => {
    const toast = document.createElement('div');
    toast.className = `toast ${kind}`;
    toast.textContent = text;
    toasts.append(toast);
    setTimeout(() => toast.remove(), kind === 'error' ? 8000 : 3000);
  };

  /** The incident shown on the map and in the detail pane. @type {number|undefined} */
  let selected;
  /** Whether the person chose it (then a new orange incident does not take the selection away). */
  let chosen = false;

  const cameras = new NearbyCameras({
    body: $('#cameras'),
    table: $('#cameras-table'),
    summary: $('#cameras-summary'),
    note: $('#cameras-note'),
    i18n,
    onUnauthorized: toLogin,
  });
  let camerasLoadedAt = 0;
  const loadCameras = async () => {
    camerasLoadedAt = Date.now();
    await cameras.load(selected);
    camerasChanged = true;
  };
  let camerasChanged = true;

  /** @param {number|undefined} id @param {boolean} byPerson */
  const select = (id, byPerson) => {
    if (byPerson) chosen = true;
    if (id === selected) return;
    selected = id;
    state.changed.incidents = true;
    focusChanged = true;
    void loadCameras();
  };

  const list = new BrigadeIncidentList({
    list: $('#incidents'),
    empty: $('#no-incidents'),
    count: $('#incident-count'),
    template: $('#incident-template'),
    i18n,
    onSelect: (id) => {
      select(id, true);
      // On a phone the detail is below the list: bring it into view.
      if (window.matchMedia('(max-width: 900px)').matches) /** @type {HTMLElement} */ ($('#detail')).scrollIntoView({ behavior: 'smooth', block: 'start' });
    },
    onAck: (id, button) => void acknowledge(id, button),
  });

  /** @param {number} id @param {HTMLButtonElement} [button] */
  const acknowledge = async (id, button) => {
    if (button) button.disabled = true;
    try {
      let response;
      try {
        // JSON even with nothing to say: the session's CSRF rule (docs/accounts.md).
        response = await fetch(`/api/incidents/${id}/ack`, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: '{}' });
      } catch {
        notify(i18n.t('action.offline'), 'error');
        return;
      }
      /** @type {any} */
      let answer = {};
      try {
        answer = await response.json();
      } catch {
        // The status says enough.
      }
      if (response.status === 401) return toLogin();
      if (!response.ok) {
        notify(i18n.t('action.failed', { action: i18n.t('action.ack'), status: response.status, message: answer?.message ?? '' }), 'error');
        return;
      }
      stats.acks += 1;
      if (answer?.incident) state.applyIncident(answer.incident);
      notify(i18n.t('action.done.ack', { id }), 'info');
    } finally {
      if (button) button.disabled = false;
    }
  };

  // ---- sound and the red alert --------------------------------------------------------------
  const soundButton = /** @type {HTMLButtonElement} */ ($('#sound'));
  const alertSoundButton = /** @type {HTMLButtonElement} */ ($('#alert-sound'));
  const showSound = () => {
    const now = sound.state;
    soundButton.dataset.state = now;
    soundButton.textContent =
      now === 'on' ? i18n.t('brigade.sound.on') : now === 'muted' ? i18n.t('brigade.sound.muted') : now === 'unavailable' ? i18n.t('brigade.sound.unavailable') : i18n.t('brigade.sound.enable');
    soundButton.setAttribute('aria-pressed', String(now === 'on'));
    alertChanged = true;
  };
  soundButton.addEventListener('click', async () => {
    await sound.toggle();
    showSound();
  });
  alertSoundButton.addEventListener('click', async () => {
    await sound.enable();
    showSound();
  });

  const alertBar = /** @type {HTMLElement} */ ($('#alert'));
  const alertTitle = /** @type {HTMLElement} */ ($('#alert-title'));
  const alertMore = /** @type {HTMLElement} */ ($('#alert-more'));
  const alertSilent = /** @type {HTMLElement} */ ($('#alert-silent'));
  /** @type {HTMLButtonElement} */ ($('#alert-ack')).addEventListener('click', (event) => {
    const id = Number(alertBar.dataset.incidentId);
    if (id) void acknowledge(id, /** @type {HTMLButtonElement} */ (event.currentTarget));
  });
  let alertChanged = true;
  let lastAlarmAt = 0;
  const showAlert = () => {
    const reds = state.unacknowledgedRed();
    const first = reds[0];
    alertBar.hidden = !first;
    document.body.classList.toggle('red-alert', first !== undefined);
    if (!first) {
      delete alertBar.dataset.incidentId;
      document.title = i18n.t('brigade.title');
      return;
    }
    alertBar.dataset.incidentId = String(first.id);
    const title = incidentTitle(i18n, first);
    const where = [first.place && !title.includes(first.place) ? first.place : null, first.zone].filter(Boolean).join(' · ');
    alertTitle.textContent = i18n.t('brigade.alert.red', { title: where ? `${title} · ${where}` : title });
    alertMore.hidden = reds.length < 2;
    alertMore.textContent = reds.length < 2 ? '' : i18n.t('brigade.alert.more', { count: reds.length - 1 });
    const silent = sound.state !== 'on';
    alertSilent.hidden = !silent;
    alertSoundButton.hidden = sound.state !== 'off';
    document.title = i18n.t('brigade.titleAlert', { count: reds.length, title });
  };
  /** New red incidents sound the alarm and take the selection; other new ones chime. */
  const announce = (/** @type {number} */ now) => {
    const news = state.takeNews();
    for (const incident of news.red) {
      stats.alerts += 1;
      if (sound.alarm()) stats.alertsSounded += 1;
      lastAlarmAt = now;
      select(incident.id, false);
      chosen = false;
    }
    if (news.red.length === 0 && news.arrived.length > 0) {
      stats.chimes += news.arrived.length;
      sound.chime();
      if (!chosen) select(news.arrived[0]?.id, false);
    }
    if (news.red.length > 0 || news.arrived.length > 0) alertChanged = true;
  };

  // ---- the selected incident --------------------------------------------------------------------
  const head = /** @type {HTMLElement} */ ($('#detail-head'));
  const none = /** @type {HTMLElement} */ ($('#detail-none'));
  /** @param {string} name */
  const headPart = (name) => /** @type {HTMLElement} */ (head.querySelector(`[data-part="${name}"]`));
  const showDetail = () => {
    const incident = selected === undefined ? undefined : state.incidents.get(selected);
    head.hidden = !incident;
    none.hidden = incident !== undefined;
    if (!incident) {
      delete head.dataset.selectedId;
      return;
    }
    head.className = `detail-head sev-${incident.severity}`;
    head.dataset.selectedId = String(incident.id);
    headPart('severity').textContent = i18n.t(`severity.${incident.severity}`);
    headPart('title').textContent = incidentTitle(i18n, incident);
    headPart('status').textContent = i18n.t(`status.${incident.status}`);
    headPart('where').textContent = whereText(incident) || i18n.t('brigade.where.unknown');
    headPart('opened').textContent = i18n.t('brigade.detail.opened', { time: i18n.dateTime(incident.openedAt) });
    headPart('detector').textContent = i18n.t('brigade.detail.detector', { device: incident.deviceId });
    const position = headPart('position');
    position.hidden = incident.lat === null || incident.lon === null;
    position.textContent = incident.lat === null || incident.lon === null ? '' : i18n.t('brigade.detail.position', { lat: incident.lat.toFixed(5), lon: incident.lon.toFixed(5) });
    const acked = headPart('acked');
    acked.textContent =
      incident.acknowledgedAt === null
        ? i18n.t('brigade.detail.updated', { time: i18n.dateTime(incident.updatedAt) })
        : i18n.t('incident.acknowledged', { who: incident.acknowledgedBy ?? '', time: i18n.time(incident.acknowledgedAt) });
  };

  const legend = () => renderLegend($('#legend'), i18n);
  legend();

  // ---- the map: close up on the selected fire and its cameras, or the whole village --------------
  const zoom = /** @type {HTMLButtonElement} */ ($('#zoom'));
  let closeUp = true;
  let focusChanged = true;
  const showZoom = () => {
    // The button says what it does.
    zoom.textContent = closeUp ? i18n.t('brigade.map.village') : i18n.t('brigade.map.closeUp');
    zoom.setAttribute('aria-pressed', String(closeUp));
  };
  zoom.addEventListener('click', () => {
    closeUp = !closeUp;
    focusChanged = true;
    showZoom();
  });
  const updateFocus = () => {
    const incident = selected === undefined ? undefined : state.incidents.get(selected);
    const answer = cameras.answer && cameras.answer.incidentId === incident?.id ? cameras.answer : undefined;
    const origin = answer?.origin ?? (incident && incident.lon !== null && incident.lat !== null ? { lon: incident.lon, lat: incident.lat } : null);
    if (!closeUp || !origin) return map.setFocus(undefined);
    const framed = (answer?.cameras ?? []).slice(0, FOCUS_CAMERAS).map((camera) => camera.distanceM);
    const radiusM = Math.min(FOCUS_MAX_RADIUS_M, Math.max(FOCUS_MIN_RADIUS_M, Math.max(0, ...framed) * FOCUS_MARGIN));
    map.setFocus({ lon: origin.lon, lat: origin.lat, radiusM });
  };

  // ---- connection, language, log-out -------------------------------------------------------------
  const { feed, everything } = connectLivePage({
    i18n,
    map,
    state,
    elements: { conn: $('#conn'), lost: $('#lost'), lostDetail: $('#lost-detail') },
    reword: () => {
      showSound();
      showZoom();
      legend();
      state.changed.incidents = true;
      camerasChanged = true;
      alertChanged = true;
    },
  });

  /** @type {HTMLButtonElement} */ ($('#lang')).addEventListener('click', async () => {
    const next = LOCALES[(LOCALES.indexOf(i18n.locale) + 1) % LOCALES.length] ?? 'zh-CN';
    await i18n.use(next);
    everything();
  });
  /** @type {HTMLButtonElement} */ ($('#logout')).addEventListener('click', async () => {
    try {
      await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: '{}' });
    } finally {
      toLogin();
    }
  });

  // ---- every frame ---------------------------------------------------------------------------------
  const clock = /** @type {HTMLElement} */ ($('#clock'));
  let lastTick = 0;
  const frame = () => {
    const now = Date.now();
    try {
      if (state.changed.incidents) {
        announce(now);
        if (selected === undefined || !state.incidents.has(selected)) {
          // The selected incident closed (or none yet): the most urgent one.
          chosen = false;
          select(state.sortedIncidents()[0]?.id, false);
        }
      }
      const reds = state.unacknowledgedRed();
      if (reds.length > 0 && now - lastAlarmAt >= REPEAT_MS) {
        lastAlarmAt = now;
        stats.repeats += 1;
        sound.alarm();
      }
      if (focusChanged || camerasChanged || state.changed.incidents) {
        focusChanged = false;
        updateFocus();
      }
      map.render(state, now);
      if (state.changed.incidents || state.changed.teams) {
        list.render(state, now, selected);
        showDetail();
        alertChanged = true;
      } else if (now - lastTick >= 250) list.tick(state, now);
      if (alertChanged) {
        alertChanged = false;
        showAlert();
      }
      if (camerasChanged || state.changed.devices || state.changed.maintenance) {
        camerasChanged = false;
        cameras.render(state);
      }
      if (selected !== undefined && now - camerasLoadedAt >= CAMERAS_REFRESH_MS) void loadCameras();
      overlay.render(state, selected === undefined ? undefined : state.incidents.get(selected), cameras, now);
      if (now - lastTick >= 250) {
        lastTick = now;
        clock.textContent = i18n.dateTime(now);
      }
      for (const key of Object.keys(state.changed)) state.changed[/** @type {keyof BrigadeState['changed']} */ (key)] = false;
    } catch (err) {
      console.error(err);
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  Object.assign(window, { __brigade: { state, feed, stats, i18n, map, sound, cameras, selected: () => selected } });
  document.body.dataset.ready = 'true';
}

/** @param {HTMLElement} root @param {I18n} i18n */
function renderLegend(root, i18n) {
  root.replaceChildren(
    legendEntry(legendSwatch(SEVERITY_COLOR.red, 'ring'), i18n.t('legend.incident')),
    legendEntry(legendSwatch(CAMERA_STATE_COLOR.online, 'number'), i18n.t('brigade.legend.nearby')),
    legendEntry(legendGlyph(KIND_STYLE.camera.shape, KIND_STYLE.camera.color), i18n.t('kind.camera')),
    legendEntry(legendGlyph(KIND_STYLE.fire.shape, KIND_STYLE.fire.color), i18n.t('kind.fire')),
    legendEntry(legendGlyph('circle', HEALTH_COLOR.offline), i18n.t('legend.offline')),
    legendEntry(legendGlyph('circle', HEALTH_COLOR.alarm), i18n.t('legend.alarm')),
    legendEntry(legendGlyph('circle', HEALTH_COLOR.offline, false, true), i18n.t('legend.maintenance')),
    legendEntry(legendSwatch(TEAM_COLOR.available, 'dot'), i18n.t('legend.teamAvailable')),
    legendEntry(legendSwatch(TEAM_COLOR.dispatched, 'dot'), i18n.t('legend.teamDispatched')),
    legendEntry(legendSwatch('#f0883e', 'dash'), i18n.t('legend.route')),
  );
}

main().catch((err) => {
  console.error(err);
  document.body.dataset.ready = 'failed';
});
