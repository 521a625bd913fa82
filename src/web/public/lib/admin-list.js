// @ts-check
/**
 * One searchable, paged table of a tab: the search form in the panel
 * (`[data-part="search"]`), the rows (`[data-part="rows"]`), the empty note,
 * the pager, and — for the registers — CSV export (a download link with the
 * current filter) and import (a file sent as JSON `{csv}`, each refused row
 * reported by its line).
 */
import { api, query } from './admin-api.js';
import { el, formValues, part } from './admin-ui.js';

/** @typedef {import('./admin-ui.js').AdminContext} AdminContext */
/** @typedef {(Node|string)[]} Cells */

/** The gateway's body limit is 1 MiB; the JSON around a CSV file adds a little. */
const IMPORT_MAX_BYTES = 900 * 1024;

/**
 * @template T
 */
export class ListView {
  /**
   * @param {{
   *   panel: HTMLElement,
   *   ctx: AdminContext,
   *   pageSize?: number,
   *   load: (filter: Record<string, string>, page: { limit: number, offset: number }) => Promise<{ total: number, items: T[] }>,
   *   row: (item: T) => Cells,
   *   key?: (item: T) => string,
   *   afterLoad?: (filter: Record<string, string>) => void,
   *   range?: () => string,
   * }} options
   */
  constructor(options) {
    this.options = options;
    this.panel = options.panel;
    /** @type {T[]} */
    this.items = [];
    this.total = 0;
    this.offset = 0;
    this.loaded = false;
    /** Loads asked for so far. */
    this.asked = 0;
    /** @type {HTMLTableSectionElement} */
    this.rows = part(this.panel, '[data-part="rows"]');
    /** @type {HTMLElement} */
    this.empty = part(this.panel, '[data-part="empty"]');
    /** @type {HTMLFormElement|null} */
    this.search = this.panel.querySelector('[data-part="search"]');
    this.pager = /** @type {HTMLElement|null} */ (this.panel.querySelector('[data-part="pager"]'));
    if (this.search) {
      this.search.noValidate = true;
      this.search.addEventListener('submit', (event) => {
        event.preventDefault();
        void this.load(0);
      });
      // Selects filter at once; text waits for a pause in typing.
      /** @type {ReturnType<typeof setTimeout>|undefined} */
      let typing;
      this.search.addEventListener('input', (event) => {
        clearTimeout(typing);
        const target = /** @type {HTMLElement} */ (event.target);
        if (target.tagName === 'SELECT') void this.load(0);
        else typing = setTimeout(() => void this.load(0), 350);
      });
    }
    if (this.pager) {
      part(this.pager, '[data-part="prev"]').addEventListener('click', () => void this.load(Math.max(0, this.offset - this.pageSize)));
      part(this.pager, '[data-part="next"]').addEventListener('click', () => void this.load(this.offset + this.pageSize));
    }
  }

  get pageSize() {
    return this.options.pageSize ?? 100_000;
  }

  /** The search form's values that are set. @returns {Record<string, string>} */
  filter() {
    if (!this.search) return {};
    /** @type {Record<string, string>} */
    const set = {};
    for (const [name, value] of Object.entries(formValues(this.search))) if (typeof value === 'string' && value !== '') set[name] = value;
    return set;
  }

  /** Puts values into the search form (another tab asking for, say, one card's audit). @param {Record<string, string>} values */
  setFilter(values) {
    if (!this.search) return;
    for (const element of this.search.elements) {
      const input = /** @type {HTMLInputElement} */ (element);
      if (input.name) input.value = values[input.name] ?? '';
    }
  }

  /** @param {number} [offset] */
  async load(offset = this.offset) {
    const filter = this.filter();
    // Typing and Enter can both ask: only the latest answer is shown, whatever order they arrive in.
    const asked = ++this.asked;
    this.panel.dataset.loading = 'true';
    try {
      const { total, items } = await this.options.load(filter, { limit: this.pageSize, offset });
      if (asked !== this.asked) return;
      this.items = items;
      this.total = total;
      this.offset = offset;
      this.loaded = true;
      this.options.afterLoad?.(filter);
      this.render();
    } catch (err) {
      if (asked === this.asked) this.options.ctx.toast(this.options.ctx.errorText(err), 'error');
    } finally {
      if (asked === this.asked) delete this.panel.dataset.loading;
    }
  }

  reload() {
    return this.load(this.offset);
  }

  /** The rows from what was loaded, in the current language. */
  render() {
    const { ctx } = this.options;
    this.rows.replaceChildren(
      ...this.items.map((item) => {
        const row = el('tr', { 'data-key': this.options.key?.(item) });
        for (const cell of this.options.row(item)) row.append(el('td', {}, cell));
        return row;
      }),
    );
    this.empty.hidden = !this.loaded || this.items.length > 0;
    if (this.pager) {
      const paged = this.total > this.pageSize || this.offset > 0;
      this.pager.hidden = !paged && this.total === 0;
      const from = this.items.length ? this.offset + 1 : 0;
      part(this.pager, '[data-part="range"]').textContent = this.options.range?.() ?? ctx.i18n.t('admin.pager.range', { from, to: this.offset + this.items.length, total: this.total });
      /** @type {HTMLButtonElement} */ (part(this.pager, '[data-part="prev"]')).disabled = this.offset === 0;
      /** @type {HTMLButtonElement} */ (part(this.pager, '[data-part="next"]')).disabled = this.offset + this.items.length >= this.total;
    }
  }
}

/**
 * CSV export and import of one register in its panel.
 * @param {{ panel: HTMLElement, ctx: AdminContext, register: 'room-cards'|'blacklist'|'stolen-tags', site?: () => string|undefined, imported: () => Promise<void> }} options
 */
export function wireRegisterCsv(options) {
  const { panel, ctx, register } = options;
  const exportLink = /** @type {HTMLAnchorElement} */ (part(panel, '[data-part="export"]'));
  const input = /** @type {HTMLInputElement} */ (part(panel, '[data-part="import"]'));
  const report = part(panel, '[data-part="import-report"]');
  const exportHref = () => `/api/registers/${register}/export.csv${query({ site: options.site?.() })}`;
  exportLink.href = exportHref();
  exportLink.setAttribute('download', `${register}.csv`);
  // The filter may have changed since: the link takes it when clicked.
  exportLink.addEventListener('click', () => void (exportLink.href = exportHref()));

  /** @type {(() => void)|undefined} */
  let wordReport;
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > IMPORT_MAX_BYTES) {
      ctx.toast(ctx.i18n.t('admin.import.tooLarge', { name: file.name }), 'error');
      return;
    }
    try {
      const csv = await file.text();
      /** @type {{ imported: number, errors: { line: number, message: string }[] }} */
      const result = await api('POST', `/api/registers/${register}/import.csv`, { csv });
      wordReport = () => {
        const { i18n } = ctx;
        report.replaceChildren(
          el('p', { class: result.errors.length ? 'warn' : 'ok' }, i18n.t('admin.import.result', { name: file.name, imported: result.imported, refused: result.errors.length })),
          ...(result.errors.length ? [el('ul', { class: 'row-errors' }, ...result.errors.map((e) => el('li', { 'data-line': String(e.line) }, i18n.t('admin.import.rowError', { line: e.line, message: e.message }))))] : []),
          el('button', { type: 'button', class: 'small', onclick: () => ((report.hidden = true), (wordReport = undefined)) }, i18n.t('admin.dialog.close')),
        );
      };
      wordReport();
      report.hidden = false;
      await options.imported();
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  });
  return { render: () => wordReport?.() };
}
