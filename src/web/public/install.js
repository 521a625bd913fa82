// @ts-check
/**
 * The installer's phone page (docs/pairing.md, "The installer page"): scan or
 * type a claim code, pick the model, place the device (phone position or a tap
 * on the village map), claim it — the credentials are shown this once, also as
 * a configuration QR — then follow it live: first message ("seen ✓"), the test
 * event ("test event received ✓"), commissioned. When nothing arrives the
 * gateway's likely causes (wrong secret, wrong topic, … from the broker's
 * refusals for that device id) are worded here.
 * Plain ES modules, no build step, nothing from outside the gateway.
 */
import { ApiError, NetworkError, api, toLogin } from './lib/install-api.js';
import { testHint, wordCause } from './lib/install-causes.js';
import { codeFromAddress, codeFromScan, tidyCode } from './lib/install-code.js';
import { LocateError, PlacePicker } from './lib/install-place.js';
import { Scanner, canScan } from './lib/install-scanner.js';
import { I18n, LOCALES, clockText } from './lib/i18n.js';

/** Minutes without a first message before the page says so and lists the likely causes; `?wait=<minutes>` changes it. */
const DEFAULT_WAIT_MINUTES = 5;
const POLL_MS = 1500;
const POLL_RETRY_MS = 3000;
const SITE_KEY = 'vsg.install.site';
/** Causes that are refused log-ins: a device that has logged in since is past them. */
const CONNECT_CAUSES = new Set(['wrong_secret', 'client_id_mismatch', 'refused_before_claim', 'unknown_device', 'missing_credentials', 'device_disabled', 'will_topic_not_allowed', 'verification_error']);
const FOLLOW_KEY = 'vsg.install.device';

/**
 * @typedef {import('./lib/install-causes.js').CommissioningView} CommissioningView
 * @typedef {import('./lib/install-causes.js').LikelyCause} LikelyCause
 * @typedef {import('./lib/install-place.js').Place} Place
 * @typedef {{ code: string, site: string, kind: string, used: boolean, usedAt: number|null, usedBy: string|null, deviceId: string|null, models: { id: string, description: string }[] }} CodeInfo
 * @typedef {{ deviceId: string, secret: string, code: string,
 *   mqtt: { host: string, port: number, tlsPort?: number, clientId: string, username: string, topicPrefix: string, publish: string[], subscribe: string[] },
 *   config: Record<string, unknown>, configQrSvg: string, commissioning: CommissioningView }} Claimed
 * @typedef {{ text: () => string, followDeviceId?: string, switchSite?: string }} CodeProblem
 */

/** @template T @param {string} selector @returns {T} */
const $ = (selector) => /** @type {T} */ (/** @type {unknown} */ (document.querySelector(selector)));

/** @param {HTMLElement} element @param {boolean} shown */
const show = (element, shown) => {
  element.hidden = !shown;
};

function waitMinutes() {
  const asked = Number(new URLSearchParams(location.search).get('wait'));
  return Number.isFinite(asked) && asked > 0 && asked <= 240 ? asked : DEFAULT_WAIT_MINUTES;
}

async function main() {
  const i18n = new I18n('Asia/Shanghai', 'install');
  await i18n.use(I18n.initialLocale());

  const el = {
    who: /** @type {HTMLElement} */ ($('#who')),
    logout: /** @type {HTMLButtonElement} */ ($('#logout')),
    lang: /** @type {HTMLButtonElement} */ ($('#lang')),
    offline: /** @type {HTMLElement} */ ($('#offline')),
    stepCode: /** @type {HTMLElement} */ ($('#step-code')),
    siteField: /** @type {HTMLElement} */ ($('#site-field')),
    site: /** @type {HTMLSelectElement} */ ($('#site')),
    siteLine: /** @type {HTMLElement} */ ($('#site-line')),
    codeForm: /** @type {HTMLFormElement} */ ($('#code-form')),
    code: /** @type {HTMLInputElement} */ ($('#code')),
    lookup: /** @type {HTMLButtonElement} */ ($('#lookup')),
    scan: /** @type {HTMLButtonElement} */ ($('#scan')),
    scanner: /** @type {HTMLElement} */ ($('#scanner')),
    scannerVideo: /** @type {HTMLVideoElement} */ ($('#scanner-video')),
    scanCancel: /** @type {HTMLButtonElement} */ ($('#scan-cancel')),
    codeError: /** @type {HTMLElement} */ ($('#code-error')),
    codeErrorText: /** @type {HTMLElement} */ ($('#code-error-text')),
    followUsed: /** @type {HTMLButtonElement} */ ($('#follow-used')),
    switchSite: /** @type {HTMLButtonElement} */ ($('#switch-site')),
    codeFound: /** @type {HTMLElement} */ ($('#code-found')),
    stepModel: /** @type {HTMLElement} */ ($('#step-model')),
    models: /** @type {HTMLElement} */ ($('#models')),
    name: /** @type {HTMLInputElement} */ ($('#name')),
    stepPlace: /** @type {HTMLElement} */ ($('#step-place')),
    locate: /** @type {HTMLButtonElement} */ ($('#locate')),
    placeLine: /** @type {HTMLElement} */ ($('#place-line')),
    placeWarning: /** @type {HTMLElement} */ ($('#place-warning')),
    manualLat: /** @type {HTMLInputElement} */ ($('#manual-lat')),
    manualLon: /** @type {HTMLInputElement} */ ($('#manual-lon')),
    manualApply: /** @type {HTMLButtonElement} */ ($('#manual-apply')),
    stepClaim: /** @type {HTMLElement} */ ($('#step-claim')),
    claim: /** @type {HTMLButtonElement} */ ($('#claim')),
    claimError: /** @type {HTMLElement} */ ($('#claim-error')),
    claimErrorText: /** @type {HTMLElement} */ ($('#claim-error-text')),
    stepCred: /** @type {HTMLElement} */ ($('#step-credentials')),
    credBox: /** @type {HTMLDetailsElement} */ ($('#cred-box')),
    credDevice: /** @type {HTMLElement} */ ($('#cred-device')),
    credSecret: /** @type {HTMLElement} */ ($('#cred-secret')),
    credServer: /** @type {HTMLElement} */ ($('#cred-server')),
    credTopic: /** @type {HTMLElement} */ ($('#cred-topic')),
    credQr: /** @type {HTMLImageElement} */ ($('#cred-qr')),
    copyStatus: /** @type {HTMLElement} */ ($('#copy-status')),
    credNoted: /** @type {HTMLButtonElement} */ ($('#cred-noted')),
    stepProgress: /** @type {HTMLElement} */ ($('#step-progress')),
    progressDevice: /** @type {HTMLElement} */ ($('#progress-device')),
    testAsk: /** @type {HTMLElement} */ ($('#test-ask')),
    testHint: /** @type {HTMLElement} */ ($('#test-hint')),
    problems: /** @type {HTMLElement} */ ($('#problems')),
    problemsHeading: /** @type {HTMLElement} */ ($('#problems-heading')),
    causes: /** @type {HTMLElement} */ ($('#causes')),
    commission: /** @type {HTMLButtonElement} */ ($('#commission')),
    commissionNote: /** @type {HTMLElement} */ ($('#commission-note')),
    commissionError: /** @type {HTMLElement} */ ($('#commission-error')),
    commissionErrorText: /** @type {HTMLElement} */ ($('#commission-error-text')),
    next: /** @type {HTMLButtonElement} */ ($('#next-device')),
  };

  const wait = { minutes: waitMinutes() };
  const state = {
    /** @type {{ username: string, displayName: string, role: string }|null} */
    me: null,
    /** @type {{ site: string, codes: number, unused: number }[]} */
    sites: [],
    /** The site the installer works on: a sticker of another site is refused. */
    site: '',
    /** @type {CodeInfo|null} */
    code: null,
    model: '',
    /** @type {Place|null} */
    place: null,
    /** @type {(() => string)|null} */
    placeProblem: null,
    locating: false,
    /** @type {CodeProblem|null} */
    codeProblem: null,
    looking: false,
    claiming: false,
    /** @type {(() => string)|null} */
    claimProblem: null,
    /** The claim's answer: the credentials live only here, in this page's memory, until the next device. @type {Claimed|null} */
    claimed: null,
    credentialsNoted: false,
    /** @type {(() => string)|null} */
    copyStatus: null,
    /** The device being followed. */
    deviceId: '',
    /** @type {CommissioningView|null} */
    view: null,
    /** When the page started waiting for the first message (this phone's clock). */
    waitStarted: 0,
    /** Last answer from the gateway while following; 0 while it answers. */
    offlineSince: 0,
    lastUpdate: 0,
    commissioning: false,
    /** @type {(() => string)|null} */
    commissionProblem: null,
  };

  const picker = new PlacePicker(/** @type {HTMLElement} */ ($('#map')), (place) => {
    state.place = place;
    state.placeProblem = picker.isOutsideSite(place) ? () => i18n.t('install.place.outside') : null;
    state.claimProblem = null;
    renderPlace();
    renderClaim();
  });
  const scanner = new Scanner(el.scannerVideo);

  // ---------- rendering: every word from the catalogue, so a language switch re-renders everything ----------

  const renderHeader = () => {
    el.who.textContent = state.me ? state.me.displayName || state.me.username : '';
    show(el.offline, state.offlineSince > 0);
    if (state.offlineSince > 0) {
      el.offline.textContent = i18n.t('install.offline', { time: state.lastUpdate ? i18n.time(state.lastUpdate) : i18n.t('install.never') });
    }
  };

  const renderSites = () => {
    const many = state.sites.length > 1;
    show(el.siteField, many);
    show(el.siteLine, state.sites.length === 1);
    if (state.sites.length === 1) el.siteLine.textContent = i18n.t('install.site.single', { site: state.sites[0]?.site ?? '' });
    if (many) {
      const first = /** @type {HTMLOptionElement} */ (el.site.options[0]);
      first.textContent = i18n.t('install.site.choose');
      el.site.replaceChildren(first);
      for (const s of state.sites) {
        const option = document.createElement('option');
        option.value = s.site;
        option.textContent = i18n.t('install.site.option', { site: s.site, unused: s.unused });
        el.site.append(option);
      }
      el.site.value = state.site;
    }
  };

  const renderCode = () => {
    const following = state.deviceId !== '';
    show(el.stepCode, !following);
    el.lookup.disabled = state.looking;
    el.lookup.textContent = state.looking ? i18n.t('install.code.looking') : i18n.t('install.code.lookup');
    const problem = state.codeProblem;
    show(el.codeError, problem !== null);
    el.codeErrorText.textContent = problem ? problem.text() : '';
    show(el.followUsed, Boolean(problem?.followDeviceId));
    show(el.switchSite, Boolean(problem?.switchSite));
    if (problem?.switchSite) el.switchSite.textContent = i18n.t('install.code.switchSite', { site: problem.switchSite });
    const code = state.code;
    show(el.codeFound, code !== null && !following);
    if (code) el.codeFound.textContent = i18n.t('install.code.found', { code: code.code, kind: i18n.t(`kind.${code.kind}`), site: code.site });
  };

  const renderModels = () => {
    const code = state.code;
    const open = code !== null && state.deviceId === '';
    show(el.stepModel, open);
    if (!code) {
      el.models.replaceChildren();
      return;
    }
    if (el.models.dataset.code !== code.code) {
      el.models.dataset.code = code.code;
      el.models.replaceChildren(
        ...code.models.map((model) => {
          const label = document.createElement('label');
          label.className = 'model';
          const input = document.createElement('input');
          input.type = 'radio';
          input.name = 'model';
          input.value = model.id;
          input.checked = model.id === state.model;
          input.addEventListener('change', () => {
            state.model = model.id;
            state.claimProblem = null;
            renderClaim();
          });
          const id = document.createElement('span');
          id.className = 'model-id';
          id.textContent = model.id;
          const description = document.createElement('small');
          description.className = 'model-description';
          // The vendor's description is data, in the vendor's language.
          description.lang = 'en';
          description.textContent = model.description;
          label.append(input, id, description);
          return label;
        }),
      );
    }
  };

  const renderPlace = () => {
    const open = state.code !== null && state.deviceId === '';
    show(el.stepPlace, open);
    const place = state.place;
    const secure = window.isSecureContext && Boolean(navigator.geolocation);
    show(el.locate, secure);
    el.locate.disabled = state.locating;
    el.locate.textContent = state.locating ? i18n.t('install.place.locating') : i18n.t('install.place.locate');
    if (place) {
      const where = i18n.t('install.place.at', { lat: place.lat.toFixed(6), lon: place.lon.toFixed(6) });
      const how =
        place.source === 'gps'
          ? i18n.t('install.place.fromGps', { accuracy: Math.round(place.accuracy ?? 0) })
          : place.source === 'map'
            ? i18n.t('install.place.fromMap')
            : i18n.t('install.place.fromManual');
      el.placeLine.textContent = `${where} ${how}`;
    } else {
      el.placeLine.textContent = picker.hasMap() ? i18n.t('install.place.none') : i18n.t('install.place.noMap');
    }
    el.placeLine.dataset.placed = place ? place.source : '';
    const problem = state.placeProblem ?? (!secure ? () => i18n.t('install.place.error.insecure') : null);
    show(el.placeWarning, problem !== null);
    el.placeWarning.textContent = problem ? problem() : '';
  };

  const renderClaim = () => {
    show(el.stepClaim, state.code !== null && state.deviceId === '');
    el.claim.disabled = state.claiming;
    el.claim.textContent = state.claiming ? i18n.t('install.claim.submitting') : i18n.t('install.claim.submit');
    show(el.claimError, state.claimProblem !== null);
    el.claimErrorText.textContent = state.claimProblem ? state.claimProblem() : '';
  };

  const renderCredentials = () => {
    const claimed = state.claimed;
    show(el.stepCred, claimed !== null);
    if (!claimed) {
      el.credDevice.textContent = el.credSecret.textContent = el.credServer.textContent = el.credTopic.textContent = '';
      el.credQr.removeAttribute('src');
      return;
    }
    el.credDevice.textContent = claimed.deviceId;
    el.credSecret.textContent = claimed.secret;
    const { mqtt } = claimed;
    el.credServer.textContent = [`mqtt://${mqtt.host}:${mqtt.port}`, ...(mqtt.tlsPort ? [`mqtts://${mqtt.host}:${mqtt.tlsPort}`] : [])].join('\n');
    el.credTopic.textContent = mqtt.publish.join('\n');
    const qr = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(claimed.configQrSvg)}`;
    if (el.credQr.getAttribute('src') !== qr) el.credQr.src = qr;
    el.credQr.alt = i18n.t('install.cred.qrAlt', { device: claimed.deviceId });
    el.copyStatus.textContent = state.copyStatus ? state.copyStatus() : '';
    show(el.credNoted, !state.credentialsNoted);
  };

  /** @param {string} id @param {'done'|'current'|'todo'} status @param {string} text @param {number|null} [at] */
  const step = (id, status, text, at = null) => {
    const li = /** @type {HTMLElement} */ ($(`#${id}`));
    li.dataset.state = status;
    /** @type {HTMLElement} */ (li.querySelector('.text')).textContent = text;
    /** @type {HTMLElement} */ (li.querySelector('time')).textContent = at !== null ? i18n.time(at) : '';
  };

  const renderProgress = () => {
    const view = state.view;
    show(el.stepProgress, state.deviceId !== '' && view !== null);
    if (!view) return;
    const now = Date.now();
    const kind = i18n.t(`kind.${view.kind}`);
    el.progressDevice.textContent = i18n.t('install.progress.device', { device: view.deviceId, kind, model: view.model, code: view.code ?? '' });
    const seen = view.seenAt !== null;
    const tested = view.testReceivedAt !== null;
    const done = view.state === 'commissioned';
    step('p-registered', 'done', i18n.t('install.progress.registered'), view.registeredAt);
    step('p-connected', view.connectedAt !== null ? 'done' : 'current', view.connectedAt !== null ? i18n.t('install.progress.connected') : i18n.t('install.progress.connecting'), view.connectedAt);
    step(
      'p-seen',
      seen ? 'done' : 'current',
      seen ? i18n.t('install.progress.seen') : i18n.t('install.progress.waitingSeen', { elapsed: clockText((now - state.waitStarted) / 1000) }),
      view.seenAt,
    );
    step('p-test', tested ? 'done' : seen ? 'current' : 'todo', tested ? i18n.t('install.progress.testReceived') : seen ? i18n.t('install.progress.waitingTest') : i18n.t('install.progress.testLater'), view.testReceivedAt);
    step(
      'p-commissioned',
      done ? 'done' : tested ? 'current' : 'todo',
      done ? i18n.t('install.progress.commissioned', { by: view.commissionedBy ?? '' }) : i18n.t('install.progress.toCommission'),
      view.commissionedAt,
    );
    show(el.testAsk, seen && !tested);
    el.testHint.textContent = testHint(i18n, view.kind);

    // What went wrong: the gateway's causes that are news since the device was last heard from, and after the
    // page's wait with nothing heard, silence itself.
    const overdue = !seen && now - state.waitStarted >= wait.minutes * 60_000;
    const since = view.seenAt ?? -Infinity;
    const connectedAt = view.connectedAt ?? -Infinity;
    /** @type {Pick<LikelyCause, 'key'|'source'|'detail'|'reason'|'count'|'lastAt'>[]} */
    const causes = tested
      ? []
      : view.likelyCauses.filter((cause) => {
          if (cause.key === 'rejected') return true;
          const lastAt = cause.lastAt ?? Infinity;
          // A refused log-in from before the device last got in (fixed since), or anything from before it was heard, is history.
          return lastAt > since && !(CONNECT_CAUSES.has(cause.key) && lastAt <= connectedAt);
        });
    if (overdue && causes.length === 0) {
      const key = view.connectedAt !== null ? 'connected-silent' : 'silent';
      causes.push({ key, source: key, detail: null });
    }
    show(el.problems, causes.length > 0);
    el.problems.dataset.overdue = String(overdue);
    el.problemsHeading.textContent = overdue ? i18n.t('install.problems.overdue', { minutes: wait.minutes }) : i18n.t('install.problems.heading');
    // Rebuilt only when something changed: the list is an alert, and a screen reader reads it again on each rebuild.
    const signature = JSON.stringify([i18n.locale, i18n.timeZone, causes]);
    if (el.causes.dataset.signature !== signature) {
      el.causes.dataset.signature = signature;
      el.causes.replaceChildren(...causes.map((cause) => causeItem(cause, view)));
    }

    show(el.commission, !done);
    el.commission.disabled = !tested || state.commissioning;
    show(el.commissionNote, !done && !tested);
    show(el.commissionError, state.commissionProblem !== null);
    el.commissionErrorText.textContent = state.commissionProblem ? state.commissionProblem() : '';
    show(el.next, done);
    document.body.dataset.state = view.state;
  };

  /** One likely cause, worded. @param {Pick<LikelyCause, 'key'|'source'|'detail'|'reason'|'count'|'lastAt'>} cause @param {CommissioningView} view */
  const causeItem = (cause, view) => {
    const worded = wordCause(i18n, cause, view);
    const li = document.createElement('li');
    li.dataset.cause = cause.key;
    const title = document.createElement('strong');
    title.textContent = worded.title;
    const hint = document.createElement('p');
    hint.textContent = worded.hint;
    li.append(title, hint);
    if (cause.lastAt !== undefined) {
      const meta = document.createElement('small');
      meta.textContent =
        cause.count !== undefined && cause.count > 1
          ? i18n.t('install.problems.times', { count: cause.count, time: i18n.time(cause.lastAt) })
          : i18n.t('install.problems.at', { time: i18n.time(cause.lastAt) });
      li.append(meta);
    }
    return li;
  };

  const render = () => {
    renderHeader();
    renderSites();
    renderCode();
    renderModels();
    renderPlace();
    renderClaim();
    renderCredentials();
    renderProgress();
  };

  // ---------- the gateway's answers, in words ----------

  /** @param {number} at */
  const when = (at) => i18n.dateTime(at);

  /**
   * A refusal of a code (look-up or claim) as a problem to show.
   * @param {unknown} err
   * @param {string} typed
   * @returns {CodeProblem}
   */
  const codeProblemOf = (err, typed) => {
    if (err instanceof NetworkError) return { text: () => i18n.t('install.error.network') };
    if (!(err instanceof ApiError)) return { text: () => i18n.t('install.error.unexpected') };
    const body = err.body;
    switch (err.code) {
      case 'GW_CLAIM_CODE_INVALID':
        return body.problem === 'typo' ? { text: () => i18n.t('install.error.typo', { code: typed }) } : { text: () => i18n.t('install.error.format') };
      case 'GW_CLAIM_UNKNOWN':
        return { text: () => i18n.t('install.error.unknown', { code: typed }) };
      case 'GW_CLAIM_USED':
        return usedProblem({ code: typed, usedAt: body.usedAt ?? null, usedBy: body.usedBy ?? null, deviceId: body.deviceId ?? null });
      case 'GW_CLAIM_WRONG_SITE':
        return wrongSiteProblem(typed, String(body.codeSite ?? ''), String(body.site ?? ''));
      case 'GW_DEVICE_EXISTS':
        return { text: () => i18n.t('install.error.deviceExists') };
      case 'GW_UNKNOWN_MODEL':
      case 'GW_MODEL_KIND_MISMATCH':
        return { text: () => i18n.t('install.error.model') };
      default:
        if (err.status === 403) return { text: () => i18n.t('install.error.forbidden') };
        return { text: () => i18n.t('install.error.server', { status: String(err.status) }) };
    }
  };

  /** @param {{ code: string, usedAt: number|null, usedBy: string|null, deviceId: string|null }} used @returns {CodeProblem} */
  const usedProblem = (used) => {
    const mine = state.me !== null && used.usedBy === state.me.username;
    const words = () => ({ code: used.code, time: used.usedAt !== null ? when(used.usedAt) : '?', by: used.usedBy ?? '?', device: used.deviceId ?? '?' });
    return {
      text: () => (mine ? i18n.t('install.error.usedByMe', words()) : i18n.t('install.error.used', words())),
      ...(mine && used.deviceId ? { followDeviceId: used.deviceId } : {}),
    };
  };

  /** @param {string} code @param {string} codeSite @param {string} site @returns {CodeProblem} */
  const wrongSiteProblem = (code, codeSite, site) => ({
    text: () => i18n.t('install.error.wrongSite', { code, codeSite, site }),
    ...(state.sites.some((s) => s.site === codeSite) ? { switchSite: codeSite } : {}),
  });

  // ---------- actions ----------

  /** @param {string} raw */
  const lookUp = async (raw) => {
    const typed = tidyCode(raw);
    el.code.value = typed;
    state.code = null;
    state.claimProblem = null;
    state.codeProblem = null;
    if (!typed) {
      state.codeProblem = { text: () => i18n.t('install.error.empty') };
      render();
      el.code.focus();
      return;
    }
    if (state.sites.length > 1 && !state.site) {
      state.codeProblem = { text: () => i18n.t('install.error.chooseSite') };
      render();
      el.site.focus();
      return;
    }
    state.looking = true;
    render();
    try {
      /** @type {CodeInfo} */
      const code = await api('GET', `/api/pairing/claim-codes/${encodeURIComponent(typed)}`);
      if (code.used) state.codeProblem = usedProblem({ code: code.code, usedAt: code.usedAt, usedBy: code.usedBy, deviceId: code.deviceId });
      else if (state.site && code.site !== state.site) state.codeProblem = wrongSiteProblem(code.code, code.site, state.site);
      else {
        state.code = code;
        el.code.value = code.code;
        state.model = code.models.length === 1 ? (code.models[0]?.id ?? '') : code.models.some((m) => m.id === state.model) ? state.model : '';
        picker.setKind(code.kind);
      }
    } catch (err) {
      state.codeProblem = codeProblemOf(err, typed);
    } finally {
      state.looking = false;
    }
    render();
    if (state.code) el.stepModel.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };

  const claim = async () => {
    const code = state.code;
    if (!code || state.claiming) return;
    if (!state.model) state.claimProblem = () => i18n.t('install.error.noModel');
    else if (!state.place) state.claimProblem = () => i18n.t('install.error.noPlace');
    else state.claimProblem = null;
    if (state.claimProblem || !state.place) return render();
    state.claiming = true;
    render();
    const name = el.name.value.trim();
    try {
      /** @type {Claimed} */
      const claimed = await api('POST', '/api/pairing/claim', {
        code: code.code,
        model: state.model,
        lon: state.place.lon,
        lat: state.place.lat,
        ...(name ? { name } : {}),
        ...(state.site ? { site: state.site } : {}),
      });
      state.claimed = claimed;
      state.credentialsNoted = false;
      state.copyStatus = null;
      el.credBox.open = true;
      follow(claimed.deviceId, claimed.commissioning, Date.now());
      // A reload must not look the spent code up again as if it were new.
      if (new URLSearchParams(location.search).has('code')) {
        const url = new URL(location.href);
        url.searchParams.delete('code');
        history.replaceState(null, '', url);
      }
    } catch (err) {
      if (err instanceof NetworkError) state.claimProblem = () => i18n.t('install.error.claimNetwork');
      else {
        const problem = codeProblemOf(err, code.code);
        if (err instanceof ApiError && ['GW_CLAIM_USED', 'GW_CLAIM_WRONG_SITE', 'GW_CLAIM_UNKNOWN', 'GW_CLAIM_CODE_INVALID'].includes(err.code)) {
          // The code itself is the problem: back to step 1 with it.
          state.code = null;
          state.codeProblem = problem;
        } else state.claimProblem = problem.text;
      }
    } finally {
      state.claiming = false;
    }
    render();
    (state.claimed ? el.stepCred : state.code ? el.stepClaim : el.stepCode).scrollIntoView({ behavior: 'smooth', block: 'start' });
  };

  let pollGeneration = 0;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let pollTimer;

  /**
   * Follows a claimed device until it is commissioned.
   * @param {string} deviceId @param {CommissioningView|null} view @param {number} waitStarted
   */
  const follow = (deviceId, view, waitStarted) => {
    state.deviceId = deviceId;
    state.view = view;
    state.waitStarted = waitStarted;
    state.commissionProblem = null;
    try {
      sessionStorage.setItem(FOLLOW_KEY, deviceId);
    } catch {
      // Storage may be off: the page just cannot resume after a reload.
    }
    const generation = ++pollGeneration;
    clearTimeout(pollTimer);
    const poll = async () => {
      if (generation !== pollGeneration) return;
      let delay = POLL_MS;
      try {
        /** @type {CommissioningView} */
        const fresh = await api('GET', `/api/pairing/devices/${encodeURIComponent(deviceId)}`);
        if (generation !== pollGeneration) return;
        if (!state.view && fresh.state === 'registered') state.waitStarted = fresh.registeredAt;
        state.view = fresh;
        state.offlineSince = 0;
        state.lastUpdate = Date.now();
      } catch (err) {
        if (generation !== pollGeneration) return;
        if (err instanceof NetworkError) {
          state.offlineSince ||= Date.now();
          delay = POLL_RETRY_MS;
        } else if (err instanceof ApiError && err.status === 404) {
          forget();
          state.codeProblem = { text: () => i18n.t('install.error.gone', { device: deviceId }) };
          render();
          return;
        } else delay = POLL_RETRY_MS;
      }
      render();
      if (state.view?.state !== 'commissioned') pollTimer = setTimeout(poll, delay);
    };
    render();
    pollTimer = setTimeout(poll, view ? POLL_MS : 0);
  };

  /** Stops following and wipes the credentials: the page is ready for the next device. */
  const forget = () => {
    pollGeneration++;
    clearTimeout(pollTimer);
    Object.assign(state, {
      deviceId: '',
      view: null,
      claimed: null,
      credentialsNoted: false,
      copyStatus: null,
      code: null,
      codeProblem: null,
      claimProblem: null,
      commissionProblem: null,
      place: null,
      placeProblem: null,
      offlineSince: 0,
    });
    picker.clear();
    el.code.value = '';
    el.name.value = '';
    el.manualLat.value = el.manualLon.value = '';
    el.models.dataset.code = '';
    try {
      sessionStorage.removeItem(FOLLOW_KEY);
    } catch {
      // See follow.
    }
  };

  const commission = async () => {
    const view = state.view;
    if (!view || state.commissioning) return;
    state.commissioning = true;
    state.commissionProblem = null;
    render();
    try {
      state.view = await api('POST', `/api/pairing/devices/${encodeURIComponent(view.deviceId)}/commission`, {});
      // Commissioned: the credentials have done their work and leave the page.
      state.claimed = null;
      state.credentialsNoted = true;
      try {
        sessionStorage.removeItem(FOLLOW_KEY);
      } catch {
        // See follow.
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'GW_PAIRING_NOT_TESTED') state.commissionProblem = () => i18n.t('install.error.notTested');
      else if (err instanceof NetworkError) state.commissionProblem = () => i18n.t('install.error.network');
      else state.commissionProblem = () => i18n.t('install.error.server', { status: err instanceof ApiError ? String(err.status) : '?' });
    } finally {
      state.commissioning = false;
    }
    render();
  };

  /** @param {string} text */
  const copy = async (text) => {
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        ok = true;
      }
    } catch {
      // Refused: try the old way below.
    }
    if (!ok) {
      // Plain http on the village LAN has no clipboard API: a selected text area and the copy command still work.
      const area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.append(area);
      area.select();
      try {
        ok = document.execCommand('copy');
      } catch {
        ok = false;
      }
      area.remove();
    }
    state.copyStatus = ok ? () => i18n.t('install.cred.copied') : () => i18n.t('install.cred.copyFailed');
    renderCredentials();
  };

  // ---------- wiring ----------

  el.codeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!state.looking) void lookUp(el.code.value);
  });
  el.code.addEventListener('input', () => {
    if (state.code && tidyCode(el.code.value) !== state.code.code) {
      state.code = null;
      state.claimProblem = null;
      render();
    }
  });
  el.site.addEventListener('change', () => {
    state.site = el.site.value;
    try {
      localStorage.setItem(SITE_KEY, state.site);
    } catch {
      // Storage may be off: the choice lasts this page.
    }
    state.codeProblem = null;
    if (state.code && state.code.site !== state.site) state.code = null;
    render();
  });
  el.switchSite.addEventListener('click', () => {
    const site = state.codeProblem?.switchSite;
    if (!site) return;
    el.site.value = site;
    el.site.dispatchEvent(new Event('change'));
    void lookUp(el.code.value);
  });
  el.followUsed.addEventListener('click', () => {
    const deviceId = state.codeProblem?.followDeviceId;
    if (!deviceId) return;
    state.codeProblem = null;
    state.code = null;
    follow(deviceId, null, Date.now());
  });

  if (canScan()) {
    show(el.scan, true);
    el.scan.addEventListener('click', async () => {
      state.codeProblem = null;
      render();
      show(el.scanner, true);
      try {
        await scanner.start((text) => {
          show(el.scanner, false);
          void lookUp(codeFromScan(text));
        });
      } catch {
        scanner.stop();
        show(el.scanner, false);
        state.codeProblem = { text: () => i18n.t('install.scan.failed') };
        render();
      }
    });
    el.scanCancel.addEventListener('click', () => {
      scanner.stop();
      show(el.scanner, false);
    });
  }

  el.locate.addEventListener('click', async () => {
    state.locating = true;
    state.placeProblem = null;
    renderPlace();
    try {
      await picker.locate();
    } catch (err) {
      const problem = err instanceof LocateError ? err.problem : 'unavailable';
      state.placeProblem =
        problem === 'denied'
          ? () => i18n.t('install.place.error.denied')
          : problem === 'timeout'
            ? () => i18n.t('install.place.error.timeout')
            : problem === 'insecure'
              ? () => i18n.t('install.place.error.insecure')
              : () => i18n.t('install.place.error.unavailable');
    } finally {
      state.locating = false;
    }
    renderPlace();
  });
  el.manualApply.addEventListener('click', () => {
    const lat = Number(el.manualLat.value.trim().replace(',', '.'));
    const lon = Number(el.manualLon.value.trim().replace(',', '.'));
    const valid = el.manualLat.value.trim() !== '' && el.manualLon.value.trim() !== '' && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
    if (!valid || !Number.isFinite(lat) || !Number.isFinite(lon)) {
      state.placeProblem = () => i18n.t('install.place.error.manual');
      renderPlace();
      return;
    }
    picker.set({ lon, lat, accuracy: null, source: 'manual' });
  });

  el.claim.addEventListener('click', () => void claim());
  el.credNoted.addEventListener('click', () => {
    state.credentialsNoted = true;
    el.credBox.open = false;
    render();
    el.stepProgress.scrollIntoView({ behavior: 'smooth', block: 'start' });
  });
  for (const button of document.querySelectorAll('[data-copy]')) {
    button.addEventListener('click', () => {
      const claimed = state.claimed;
      if (!claimed) return;
      const what = /** @type {HTMLElement} */ (button).dataset.copy;
      void copy(what === 'device' ? claimed.deviceId : what === 'secret' ? claimed.secret : JSON.stringify(claimed.config));
    });
  }
  el.commission.addEventListener('click', () => void commission());
  el.next.addEventListener('click', () => {
    forget();
    render();
    el.stepCode.scrollIntoView({ behavior: 'smooth', block: 'start' });
    el.code.focus();
  });
  window.addEventListener('beforeunload', (event) => {
    // The secret is shown only this once: leaving before it is noted loses it.
    if (state.claimed && !state.credentialsNoted) event.preventDefault();
  });

  el.lang.addEventListener('click', async () => {
    const chosen = LOCALES[(LOCALES.indexOf(i18n.locale) + 1) % LOCALES.length] ?? 'zh-CN';
    try {
      await i18n.use(chosen);
    } catch {
      return;
    }
    render();
  });
  el.logout.addEventListener('click', async () => {
    try {
      await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' });
    } finally {
      toLogin();
    }
  });

  // Waiting lines count the seconds.
  setInterval(() => {
    if (state.deviceId && state.view && state.view.state !== 'commissioned') renderProgress();
  }, 1000);

  // ---------- start: who, the site (map, time zone), the sites codes exist for; then a code from the address or a device to resume ----------

  const [me, site, sites] = await Promise.all([
    api('GET', '/api/auth/me').catch(() => null),
    api('GET', '/api/site').catch(() => null),
    api('GET', '/api/pairing/sites').catch(() => ({ sites: [] })),
  ]);
  state.me = me;
  if (site) {
    i18n.setTimeZone(site.timeZone);
    picker.setSite(site);
  }
  state.sites = sites.sites ?? [];
  let remembered = '';
  try {
    remembered = localStorage.getItem(SITE_KEY) ?? '';
  } catch {
    // See the site change.
  }
  state.site = state.sites.length === 1 ? (state.sites[0]?.site ?? '') : state.sites.some((s) => s.site === remembered) ? remembered : '';
  render();

  const fromAddress = codeFromAddress();
  let resume = '';
  try {
    resume = sessionStorage.getItem(FOLLOW_KEY) ?? '';
  } catch {
    // See follow.
  }
  if (fromAddress) {
    el.code.value = fromAddress;
    await lookUp(fromAddress);
  } else if (resume) follow(resume, null, Date.now());

  Object.assign(window, { __install: { state, i18n, picker } });
  document.body.dataset.ready = 'true';
}

void main();
