// @ts-check
/**
 * The registers' audit (`GET /api/registers/audit`): who added, changed or
 * removed which card or tag, when, and how (page or CSV). Newest first, paged
 * with `beforeId`. The other registers' audits (accounts, brigade deliveries)
 * are on their own tabs.
 */
import { api, query } from './admin-api.js';
import { ListView } from './admin-list.js';
import { el, part, siteDate } from './admin-ui.js';

/** @typedef {import('./admin-ui.js').AdminContext} AdminContext */
/** @typedef {import('./admin-registers.js').Tab} Tab */
/** @typedef {{ id: number, at: number, actor: string, register: string, action: string, site: string|null, key: string, detail: Record<string, string|number|null> }} AuditEntry */

const PAGE = 50;

/** @param {import('./i18n.js').I18n} i18n @param {string} register */
export function registerName(i18n, register) {
  switch (register) {
    case 'room-cards':
      return i18n.t('admin.register.roomCards');
    case 'blacklist':
      return i18n.t('admin.register.blacklist');
    case 'stolen-tags':
      return i18n.t('admin.register.stolenTags');
    default:
      return register;
  }
}

/** @param {import('./i18n.js').I18n} i18n @param {string} action */
function actionName(i18n, action) {
  switch (action) {
    case 'add':
      return i18n.t('admin.audit.add');
    case 'update':
      return i18n.t('admin.audit.update');
    case 'remove':
      return i18n.t('admin.audit.remove');
    default:
      return action;
  }
}

/** What changed, worded: never a clear card, a tenant or an owner (the gateway keeps those out). @param {import('./i18n.js').I18n} i18n @param {AuditEntry['detail']} detail */
function detailText(i18n, detail) {
  const parts = [];
  for (const [name, value] of Object.entries(detail)) {
    if (name === 'room') parts.push(i18n.t('admin.audit.room', { room: String(value) }));
    else if (name === 'cardMasked') parts.push(i18n.t('admin.audit.card', { card: String(value) }));
    else if (name === 'reason') parts.push(i18n.t('admin.audit.reason', { reason: String(value) }));
    else if (name === 'validUntil') parts.push(value === null ? i18n.t('admin.audit.noEnd') : i18n.t('admin.audit.validUntil', { date: siteDate(i18n, Number(value)) }));
    else if (name === 'reportedAt') parts.push(i18n.t('admin.audit.reportedAt', { time: i18n.dateTime(Number(value)) }));
    else if (name === 'via') parts.push(value === 'csv' ? i18n.t('admin.audit.viaCsv') : i18n.t('admin.audit.viaPage'));
    else parts.push(`${name}: ${value ?? ''}`);
  }
  return parts.join(' · ');
}

/** A card hash is long: its start, the whole in the tooltip. @param {string} key */
export const shortKey = (key) => (/^[0-9a-f]{64}$/.test(key) ? el('code', { title: key }, `${key.slice(0, 12)}…`) : el('code', {}, key));

/**
 * Newest-first pages of an audit API paged with `beforeId`, for a ListView
 * whose pager offset stands for pages of the cursor ("newer" / "older").
 * @template {{ id: number }} E
 * @param {import('./i18n.js').I18n} i18n
 * @param {string} path the API path, e.g. `/api/registers/audit`
 * @param {number} size entries per page
 */
export function cursorPages(i18n, path, size) {
  /** beforeId of each page shown so far: [undefined, id after page 1, …]. */
  /** @type {(number|undefined)[]} */
  let cursors = [undefined];
  let pageIndex = 0;
  return {
    /** @param {Record<string, string>} filter @param {{ offset: number }} page @returns {Promise<{ total: number, items: E[] }>} */
    load: async (filter, page) => {
      const index = Math.round(page.offset / size);
      if (index === 0) cursors = [undefined];
      const beforeId = cursors[index];
      /** @type {{ entries: E[] }} */
      const { entries } = await api('GET', `${path}${query({ ...filter, beforeId, limit: size + 1 })}`);
      const more = entries.length > size;
      const items = entries.slice(0, size);
      pageIndex = index;
      const last = items[items.length - 1];
      if (more && last) cursors[index + 1] = last.id;
      // A total that lets the pager offer "next" exactly when there is more.
      return { total: index * size + items.length + (more ? 1 : 0), items };
    },
    // The place of a cursor page in the list, not a count of everything.
    range: () => i18n.t('admin.audit.page', { page: pageIndex + 1 }),
  };
}

/** @param {AdminContext} ctx @returns {Tab} */
export function auditTab(ctx) {
  const { i18n } = ctx;
  const panel = part(document, '#tab-audit');
  /** @type {ReturnType<typeof cursorPages<AuditEntry>>} */
  const pages = cursorPages(i18n, '/api/registers/audit', PAGE);

  /** @type {ListView<AuditEntry>} */
  const view = new ListView({
    panel,
    ctx,
    pageSize: PAGE,
    load: pages.load,
    key: (entry) => String(entry.id),
    range: pages.range,
    row: (entry) => [
      i18n.dateTime(entry.at),
      entry.actor,
      registerName(i18n, entry.register),
      el('span', { class: `audit-${entry.action}` }, actionName(i18n, entry.action)),
      entry.site ?? '—',
      shortKey(entry.key),
      detailText(i18n, entry.detail),
    ],
  });

  return {
    load: () => view.load(0),
    render: () => view.render(),
    filter: (values) => view.setFilter(values),
  };
}
