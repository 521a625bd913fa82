// @ts-check
/**
 * The operators' live wall (docs/wall.md): the village map with every device,
 * open incidents against the 3-minute target, teams and their routes, the
 * coverage overlay, counters and the event ticker, kept live by `/ws`.
 * Plain ES modules, no build step, nothing from outside the gateway.
 */
import { I18n, LOCALES } from './lib/i18n.js';
import { IncidentActions } from './lib/actions.js';
import { IncidentList } from './lib/incident-list.js';
import { connectLivePage } from './lib/live-page.js';
import { HEALTH_COLOR, KIND_STYLE, MapView, SEVERITY_COLOR, TEAM_COLOR, legendEntry, legendGlyph, legendSwatch } from './lib/map-view.js';
import { MaintenancePanel } from './lib/maintenance-panel.js';
import { Ticker } from './lib/ticker.js';
import { WallState } from './lib/wall-state.js';

const KINDS = /** @type {const} */ (['camera', 'lock', 'ebike-station', 'fire', 'team']);
const SAMPLES_KEPT = 5000;

/** @template T @param {string} selector @returns {T} */
const $ = (selector) => /** @type {T} */ (/** @type {unknown} */ (document.querySelector(selector)));

/** Numbers for the load measurement and for anyone diagnosing a slow wall (`window.__wall.stats`). */
const stats = {
  /** ms of work per animation frame */
  frameWork: /** @type {number[]} */ ([]),
  /** ms between animation frames */
  frameInterval: /** @type {number[]} */ ([]),
  /** ms from the gateway seeing a device message to it being on screen: the newest change of each batch (transport and drawing) */
  updateLag: /** @type {number[]} */ ([]),
  /** the same for the oldest change of each batch (adds the wait for the batch; only meaningful when every change sets last-seen) */
  updateLagOldest: /** @type {number[]} */ ([]),
  /** ms per clustered redraw of the device layer */
  deviceDraw: /** @type {number[]} */ ([]),
  reset() {
    this.frameWork.length = 0;
    this.frameInterval.length = 0;
    this.updateLag.length = 0;
    this.updateLagOldest.length = 0;
    this.deviceDraw.length = 0;
  },
};

/** @param {number[]} samples @param {number} value */
function sample(samples, value) {
  samples.push(value);
  if (samples.length > SAMPLES_KEPT) samples.splice(0, samples.length - SAMPLES_KEPT);
}

async function main() {
  const i18n = new I18n('Asia/Shanghai');
  await i18n.use(I18n.initialLocale());
  const state = new WallState();
  const map = new MapView($('#map'));
  const toasts = /** @type {HTMLElement} */ ($('#toasts'));
  /** @param {string} text @param {'error'|'info'} [kind] */
  const notify = (text, kind = 'info') => {
    const toast = document.createElement('div');
    toast.className = `toast ${kind}`;
    toast.textContent = text;
    toasts.append(toast);
    setTimeout(() => toast.remove(), kind === 'error' ? 8000 : 3000);
  };
  const actions = new IncidentActions({ dialog: $('#action-dialog'), state, i18n, notify, onChange: () => undefined });
  const incidents = new IncidentList({
    list: $('#incidents'),
    empty: $('#no-incidents'),
    count: $('#incident-count'),
    template: $('#incident-template'),
    i18n,
    onAction: (action, id) => void actions.run(action, id),
  });
  const ticker = new Ticker($('#ticker'), i18n);
  const counters = new Counters($('#counters'), i18n);
  const maintenance = new MaintenancePanel($('#maintenance'), i18n, map);
  const legend = () => renderLegend($('#legend'), i18n);
  legend();

  const { feed, everything } = connectLivePage({
    i18n,
    map,
    state,
    elements: { conn: $('#conn'), lost: $('#lost'), lostDetail: $('#lost-detail') },
    reword: () => {
      legend();
      counters.build();
      state.changed.incidents = state.changed.counters = state.changed.ticker = state.changed.maintenance = true;
    },
  });

  const lang = /** @type {HTMLButtonElement} */ ($('#lang'));
  lang.addEventListener('click', async () => {
    const next = LOCALES[(LOCALES.indexOf(i18n.locale) + 1) % LOCALES.length] ?? 'zh-CN';
    await i18n.use(next);
    everything();
  });

  const clock = /** @type {HTMLElement} */ ($('#clock'));
  let lastTick = 0;
  let lastFrame = performance.now();
  const frame = () => {
    const started = performance.now();
    sample(stats.frameInterval, started - lastFrame);
    lastFrame = started;
    const now = Date.now();
    try {
      const redrawDevices = state.changed.devices || map.dirty.devices;
      map.render(state, now);
      if (redrawDevices) sample(stats.deviceDraw, map.lastDevicesMs);
      if (state.changed.incidents || state.changed.teams) incidents.render(state, now);
      else if (now - lastTick >= 250) incidents.tick(state, now);
      if (now - lastTick >= 250) {
        lastTick = now;
        clock.textContent = i18n.dateTime(now);
      }
      if (state.changed.counters || state.changed.incidents || state.changed.coverage) counters.render(state);
      if (state.changed.ticker) ticker.render(state);
      if (state.changed.maintenance) maintenance.render(state, now);
      if (state.newestSeen > 0) {
        sample(stats.updateLag, Date.now() - state.newestSeen);
        sample(stats.updateLagOldest, Date.now() - state.oldestSeen);
        state.newestSeen = 0;
        state.oldestSeen = 0;
      }
      for (const key of Object.keys(state.changed)) state.changed[/** @type {keyof WallState['changed']} */ (key)] = false;
    } catch (err) {
      console.error(err);
    }
    sample(stats.frameWork, performance.now() - started);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  Object.assign(window, { __wall: { state, feed, stats, i18n, map } });
  document.body.dataset.ready = 'true';
}

/** The header's live numbers. */
class Counters {
  /** @param {HTMLElement} root @param {I18n} i18n */
  constructor(root, i18n) {
    this.root = root;
    this.i18n = i18n;
    /** @type {Record<string, HTMLElement>} */
    this.values = {};
    this.build();
  }

  build() {
    const i18n = this.i18n;
    /** @type {HTMLElement[]} */
    const items = [];
    /** @param {string} name @param {string} label @param {HTMLElement} [icon] */
    const item = (name, label, icon) => {
      const box = document.createElement('div');
      box.className = 'counter';
      box.dataset.counter = name;
      const value = document.createElement('span');
      value.className = 'value';
      const caption = document.createElement('span');
      caption.className = 'label';
      if (icon) caption.append(icon);
      caption.append(label);
      box.append(value, caption);
      this.values[name] = value;
      items.push(box);
    };
    for (const kind of KINDS) {
      const style = KIND_STYLE[/** @type {keyof typeof KIND_STYLE} */ (kind)];
      item(`kind-${kind}`, i18n.t(`kind.${kind}`), style ? legendGlyph(style.shape, style.color) : legendGlyph('circle', TEAM_COLOR.available));
    }
    item('incidents', i18n.t('counter.incidents'));
    item('rate', i18n.t('counter.messagesPerSecond'));
    item('rejects', i18n.t('counter.rejects'));
    item('outbox', i18n.t('counter.outbox'));
    item('coverage', i18n.t('counter.coverage'));
    this.root.replaceChildren(...items);
    this.rendered = false;
  }

  /** @param {WallState} state */
  render(state) {
    const { i18n } = this;
    const c = state.counters;
    for (const kind of KINDS) {
      /** @type {HTMLElement} */ (this.values[`kind-${kind}`]).textContent = i18n.t('counter.onlineOfTotal', { online: c.online[kind] ?? 0, total: c.total[kind] ?? 0 });
    }
    /** @type {HTMLElement} */ (this.values.incidents).textContent = i18n.number(state.incidents.size);
    /** @type {HTMLElement} */ (this.values.rate).textContent = i18n.number(c.messagesPerSecond);
    /** @type {HTMLElement} */ (this.values.rejects).textContent = i18n.t('counter.rejectsValue', { total: c.rejects, rate: c.rejectsPerSecond });
    /** @type {HTMLElement} */ (this.values.outbox).textContent = i18n.number(c.outboxDepth);
    /** @type {HTMLElement} */ (this.values.coverage).textContent = state.coverage ? i18n.percent(state.coverage.coveredShare) : i18n.t('counter.none');
  }
}

/** @param {HTMLElement} root @param {I18n} i18n */
function renderLegend(root, i18n) {
  const list = document.createElement('ul');
  list.append(
    ...Object.entries(KIND_STYLE).map(([kind, style]) => legendEntry(legendGlyph(style.shape, style.color), i18n.t(`kind.${kind}`))),
    legendEntry(legendGlyph('circle', HEALTH_COLOR.offline), i18n.t('legend.offline')),
    legendEntry(legendGlyph('circle', KIND_STYLE.camera.color, true), i18n.t('legend.partlyOffline')),
    legendEntry(legendGlyph('circle', HEALTH_COLOR.alarm), i18n.t('legend.alarm')),
    legendEntry(legendGlyph('circle', HEALTH_COLOR.offline, false, true), i18n.t('legend.maintenance')),
    legendEntry(legendSwatch(TEAM_COLOR.available, 'dot'), i18n.t('legend.teamAvailable')),
    legendEntry(legendSwatch(TEAM_COLOR.dispatched, 'dot'), i18n.t('legend.teamDispatched')),
    legendEntry(legendSwatch('#f0883e', 'dash'), i18n.t('legend.route')),
    legendEntry(legendSwatch('rgba(255, 77, 79, 0.6)', 'bar'), i18n.t('legend.uncovered')),
    legendEntry(legendSwatch(SEVERITY_COLOR.red, 'ring'), i18n.t('legend.incident')),
  );
  const heading = document.createElement('h3');
  heading.textContent = i18n.t('legend.heading');
  root.replaceChildren(heading, list);
}

main().catch((err) => {
  console.error(err);
  document.body.dataset.ready = 'failed';
});
