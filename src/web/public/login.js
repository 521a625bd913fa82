// @ts-check
/**
 * The log-in page (docs/accounts.md): username and password to
 * `POST /api/auth/login` as JSON (the session's CSRF rule), which sets the
 * HttpOnly `vsg_session` cookie; then back to `?next=` — only a path on this
 * gateway, never another site — or to the role's own page.
 * Plain ES module, no build step, nothing from outside the gateway.
 */
import { I18n, LOCALES } from './lib/i18n.js';

/** Each role's page after log-in when there is no `next`. */
const HOME = /** @type {Record<string, string>} */ ({ operator: '/wall', admin: '/admin', brigade: '/brigade', installer: '/install', team: '/team' });
const FALLBACK_HOME = '/wall';
const LOGIN_PATH = '/login';

/** @template T @param {string} selector @returns {T} */
const $ = (selector) => /** @type {T} */ (/** @type {unknown} */ (document.querySelector(selector)));

/**
 * `next` as a path on this origin, or undefined: it must start with one `/`
 * (not `//`, a host), carry no backslash (browsers read `/\host` as `//host`)
 * and no control character or space (the URL parser drops tabs and newlines,
 * so `/\t/host` would become `//host`), and must still be on this origin once parsed.
 * @param {string|null} raw
 * @returns {string|undefined}
 */
export function safeNext(raw) {
  if (!raw || raw.length > 2000) return undefined;
  if (!raw.startsWith('/') || raw.startsWith('//')) return undefined;
  if (/[\\\u0000-\u0020\u007f]/.test(raw)) return undefined;
  let url;
  try {
    url = new URL(raw, location.origin);
  } catch {
    return undefined;
  }
  if (url.origin !== location.origin) return undefined;
  if (url.pathname === LOGIN_PATH) return undefined;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or undefined. @param {string|null} header */
function retryAfterSeconds(header) {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

async function main() {
  const i18n = new I18n('Asia/Shanghai');
  const form = /** @type {HTMLFormElement} */ ($('#login-form'));
  const username = /** @type {HTMLInputElement} */ ($('#username'));
  const password = /** @type {HTMLInputElement} */ ($('#password'));
  const error = /** @type {HTMLElement} */ ($('#error'));
  const submit = /** @type {HTMLButtonElement} */ ($('#submit'));
  const lang = /** @type {HTMLButtonElement} */ ($('#lang'));
  const next = safeNext(new URLSearchParams(location.search).get('next'));
  let busy = false;

  /** The error on show, kept as a function so a language switch words it again. @type {(() => string)|undefined} */
  let shownError;
  /** @param {(() => string)|undefined} text */
  const showError = (text) => {
    shownError = text;
    error.textContent = text ? text() : '';
    error.hidden = !text;
  };
  const words = () => {
    i18n.apply(document);
    if (busy) submit.textContent = i18n.t('login.submitting');
    if (shownError) error.textContent = shownError();
  };

  try {
    await i18n.use(I18n.initialLocale());
  } catch {
    // No catalogue (the gateway unreachable): the form still works once it is back; try the words again.
    const retry = () => i18n.use(I18n.initialLocale()).then(words, () => setTimeout(retry, 5000));
    setTimeout(retry, 5000);
  }

  lang.addEventListener('click', async () => {
    const chosen = LOCALES[(LOCALES.indexOf(i18n.locale) + 1) % LOCALES.length] ?? 'zh-CN';
    try {
      await i18n.use(chosen);
      words();
    } catch {
      showError(() => i18n.t('login.error.network'));
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    const name = username.value.trim();
    if (!name || !password.value) {
      showError(() => i18n.t('login.error.missing'));
      (name ? password : username).focus();
      return;
    }
    busy = true;
    submit.disabled = true;
    submit.textContent = i18n.t('login.submitting');
    document.body.dataset.state = 'submitting';
    try {
      /** @type {Response} */
      let response;
      try {
        response = await fetch('/api/auth/login', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ username: name, password: password.value }),
        });
      } catch {
        showError(() => i18n.t('login.error.network'));
        return;
      }
      if (response.ok) {
        /** @type {any} */
        let account = {};
        try {
          account = await response.json();
        } catch {
          // The cookie is set; the role only picks the default page.
        }
        showError(undefined);
        document.body.dataset.state = 'done';
        location.replace(next ?? HOME[String(account?.role)] ?? FALLBACK_HOME);
        return;
      }
      if (response.status === 401) {
        showError(() => i18n.t('login.error.failed'));
        password.select();
        password.focus();
      } else if (response.status === 429) {
        const seconds = retryAfterSeconds(response.headers.get('retry-after'));
        if (seconds === undefined) showError(() => i18n.t('login.error.rateLimitedLater'));
        else {
          const minutes = Math.max(1, Math.ceil(seconds / 60));
          showError(() => i18n.t('login.error.rateLimited', { minutes }));
        }
      } else {
        const status = response.status;
        showError(() => i18n.t('login.error.server', { status: String(status) }));
      }
    } finally {
      busy = false;
      submit.disabled = false;
      submit.textContent = i18n.t('login.submit');
      if (document.body.dataset.state === 'submitting') document.body.dataset.state = 'error';
    }
  });

  username.focus();
  document.body.dataset.ready = 'true';
}

void main();
