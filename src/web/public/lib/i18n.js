// @ts-check
/**
 * Message catalogues and the site's clock. Every page loads the common
 * catalogue (`/web/i18n/<locale>.json`: log-in, kinds, severities, statuses)
 * and, when it names one, its own (`/web/i18n/<page>.<locale>.json`), so each
 * page's wording lives beside it. Flat `key: text` with `{name}` placeholders. Markup carries only keys
 * (`data-i18n`, `data-i18n-title`, `data-i18n-placeholder`, `data-i18n-aria-label`);
 * every word on screen comes from a catalogue.
 */

export const LOCALES = ['zh-CN', 'en'];
export const DEFAULT_LOCALE = 'zh-CN';
const STORAGE_KEY = 'vsg.locale';
/** Attributes worded from the catalogue: [attribute, selector, dataset name]. */
const ATTRIBUTES = [
  ['title', '[data-i18n-title]', 'i18nTitle'],
  ['placeholder', '[data-i18n-placeholder]', 'i18nPlaceholder'],
  ['aria-label', '[data-i18n-aria-label]', 'i18nAriaLabel'],
];

export class I18n {
  /**
   * @param {string} timeZone
   * @param {string} [page] the page's own catalogue, merged over the common one
   */
  constructor(timeZone, page) {
    this.page = page;
    this.locale = DEFAULT_LOCALE;
    /** @type {Record<string, string>} */
    this.catalogue = {};
    this.timeZone = timeZone;
    /** @type {Set<string>} */
    this.missing = new Set();
    this.formatters();
  }

  /** The locale the page starts in: `?lang=` wins, then the last choice on this screen, then Simplified Chinese. */
  static initialLocale() {
    const asked = new URLSearchParams(location.search).get('lang');
    if (asked && LOCALES.includes(asked)) return asked;
    try {
      const stored = localStorage.getItem(STORAGE_KEY);
      if (stored && LOCALES.includes(stored)) return stored;
    } catch {
      // Storage may be disabled on a kiosk profile.
    }
    return DEFAULT_LOCALE;
  }

  /** @param {string} locale */
  async use(locale) {
    const names = this.page ? [locale, `${this.page}.${locale}`] : [locale];
    const catalogues = await Promise.all(
      names.map(async (name) => {
        const response = await fetch(`/web/i18n/${name}.json`, { credentials: 'same-origin' });
        if (!response.ok) throw new Error(`catalogue ${name}: HTTP ${response.status}`);
        return /** @type {Record<string, string>} */ (await response.json());
      }),
    );
    this.catalogue = Object.assign({}, ...catalogues);
    this.locale = locale;
    document.documentElement.lang = locale;
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // See initialLocale.
    }
    this.formatters();
    this.apply(document);
  }

  /** @param {string} timeZone */
  setTimeZone(timeZone) {
    this.timeZone = timeZone;
    this.formatters();
  }

  formatters() {
    const zone = { timeZone: this.timeZone, hourCycle: /** @type {const} */ ('h23') };
    this.timeFormat = new Intl.DateTimeFormat(this.locale, { ...zone, hour: '2-digit', minute: '2-digit', second: '2-digit' });
    this.dateTimeFormat = new Intl.DateTimeFormat(this.locale, { ...zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    this.numberFormat = new Intl.NumberFormat(this.locale);
    this.percentFormat = new Intl.NumberFormat(this.locale, { style: 'percent', maximumFractionDigits: 0 });
  }

  /**
   * @param {string} key
   * @param {Record<string, string|number|null|undefined>} [params]
   */
  t(key, params) {
    let text = this.catalogue[key];
    if (text === undefined) {
      if (!this.missing.has(key)) {
        this.missing.add(key);
        console.warn(`i18n: no text for ${key} in ${this.locale}`);
      }
      text = key;
    }
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name) => {
      const value = params[name];
      return value === undefined || value === null ? '' : typeof value === 'number' ? this.number(value) : value;
    });
  }

  /** @param {string} key */
  has(key) {
    return this.catalogue[key] !== undefined;
  }

  /** @param {ParentNode} root */
  apply(root) {
    for (const element of root.querySelectorAll('[data-i18n]')) element.textContent = this.t(/** @type {HTMLElement} */ (element).dataset.i18n ?? '');
    for (const [attribute, selector, data] of ATTRIBUTES) {
      for (const element of root.querySelectorAll(selector)) element.setAttribute(attribute, this.t(/** @type {HTMLElement} */ (element).dataset[data] ?? ''));
    }
  }

  /** @param {number} ms epoch ms */
  time(ms) {
    return /** @type {Intl.DateTimeFormat} */ (this.timeFormat).format(ms);
  }

  /** @param {number} ms */
  dateTime(ms) {
    return /** @type {Intl.DateTimeFormat} */ (this.dateTimeFormat).format(ms);
  }

  /** @param {number} n */
  number(n) {
    return /** @type {Intl.NumberFormat} */ (this.numberFormat).format(n);
  }

  /** @param {number} share 0..1 */
  percent(share) {
    return /** @type {Intl.NumberFormat} */ (this.percentFormat).format(share);
  }
}

/** `mm:ss` (or `h:mm:ss` past an hour) of a duration in seconds. @param {number} seconds */
export function clockText(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
