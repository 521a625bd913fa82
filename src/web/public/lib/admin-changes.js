// @ts-check
/**
 * The configuration audit (`GET /api/audit`): who registered, claimed,
 * commissioned, disabled, enabled, re-keyed or deleted a device, who
 * registered or deleted a patrol team, who created, changed or deleted a
 * brigade subscription. Newest first, paged with `beforeId` like the
 * registers' audit. The gateway keeps secrets out of every entry.
 */
import { ListView } from './admin-list.js';
import { cursorPages } from './admin-audit.js';
import { el, part } from './admin-ui.js';

/** @typedef {import('./admin-ui.js').AdminContext} AdminContext */
/** @typedef {import('./admin-registers.js').Tab} Tab */
/** @typedef {{ id: number, at: number, actor: string, subject: string, subjectId: string, action: string, detail: Record<string, string|number|boolean|null> }} ChangeEntry */

const PAGE = 50;

/** @param {import('./i18n.js').I18n} i18n @param {string} subject */
function subjectName(i18n, subject) {
  switch (subject) {
    case 'device':
      return i18n.t('admin.changes.subject.device');
    case 'team':
      return i18n.t('admin.changes.subject.team');
    case 'brigade-subscription':
      return i18n.t('admin.changes.subject.brigade');
    case 'maintenance-window':
      return i18n.t('admin.changes.subject.maintenance');
    default:
      return subject;
  }
}

/** @param {import('./i18n.js').I18n} i18n @param {string} action */
function actionName(i18n, action) {
  switch (action) {
    case 'register':
      return i18n.t('admin.changes.register');
    case 'claim':
      return i18n.t('admin.changes.claim');
    case 'commission':
      return i18n.t('admin.changes.commission');
    case 'disable':
      return i18n.t('admin.changes.disable');
    case 'enable':
      return i18n.t('admin.changes.enable');
    case 'rotate-secret':
      return i18n.t('admin.changes.rotateSecret');
    case 'create':
      return i18n.t('admin.changes.create');
    case 'update':
      return i18n.t('admin.changes.update');
    case 'end':
      return i18n.t('admin.changes.end');
    case 'delete':
      return i18n.t('admin.changes.delete');
    default:
      return action;
  }
}

/** The entry's detail, short: labelled with the page's own field names. @param {import('./i18n.js').I18n} i18n @param {ChangeEntry['detail']} detail */
function detailText(i18n, detail) {
  const parts = [];
  for (const [name, value] of Object.entries(detail)) {
    if (value === null || value === '') continue;
    const text = String(value);
    if (name === 'kind') parts.push(i18n.t(`kind.${text}`));
    else if (name === 'site') parts.push(`${i18n.t('admin.field.site')} ${text}`);
    else if (name === 'model') parts.push(`${i18n.t('admin.field.model')} ${text}`);
    else if (name === 'name') parts.push(`${i18n.t('admin.field.name')} ${text}`);
    else if (name === 'code') parts.push(`${i18n.t('admin.codes.code')} ${text}`);
    else if (name === 'trackerDeviceId') parts.push(`${i18n.t('admin.field.tracker')} ${text}`);
    else if (name === 'url') parts.push(text);
    else if (name === 'severities') parts.push(`${i18n.t('admin.field.severities')} ${text}`);
    else if (name === 'kinds') parts.push(`${i18n.t('admin.field.kinds')} ${text}`);
    else if (name === 'enabled') parts.push(value ? i18n.t('admin.brigade.enabled') : i18n.t('admin.brigade.paused'));
    else parts.push(`${name}: ${text}`);
  }
  return parts.join(' · ');
}

/** @param {AdminContext} ctx @returns {Tab} */
export function changesTab(ctx) {
  const { i18n } = ctx;
  const panel = part(document, '#tab-changes');
  /** @type {ReturnType<typeof cursorPages<ChangeEntry>>} */
  const pages = cursorPages(i18n, '/api/audit', PAGE);

  /** @type {ListView<ChangeEntry>} */
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
      subjectName(i18n, entry.subject),
      el('code', {}, entry.subjectId),
      el('span', { class: `change-${entry.action}`, 'data-action-name': entry.action }, actionName(i18n, entry.action)),
      detailText(i18n, entry.detail),
    ],
  });

  return {
    load: () => view.load(0),
    render: () => view.render(),
    filter: (values) => view.setFilter(values),
  };
}
