// @ts-check
/**
 * Claim-code batches for installers (docs/pairing.md): generate a batch for
 * a site and a kind, open its printable sticker sheet (a page of its own,
 * self-contained, so it prints offline), export it as CSV for a label
 * printer, and see which codes were used by whom for which device.
 */
import { api, query } from './admin-api.js';
import { fillKinds } from './admin-devices.js';
import { ListView } from './admin-list.js';
import { button, el, orDash, part, wireAddForm } from './admin-ui.js';

/** @typedef {import('./admin-ui.js').AdminContext} AdminContext */
/** @typedef {import('./admin-registers.js').Tab} Tab */
/** @typedef {{ id: string, site: string, kind: string, prefix: string, count: number, label: string|null, createdAt: number, createdBy: string, used: number }} Batch */
/** @typedef {{ code: string, usedAt: number|null, usedBy: string|null, deviceId: string|null }} ClaimCode */

const sheetHref = (/** @type {string} */ batch, /** @type {boolean} */ unusedOnly) => `/api/pairing/claim-codes/sheet.html${query({ batch, used: unusedOnly ? 'false' : undefined })}`;
const csvHref = (/** @type {string} */ batch) => `/api/pairing/claim-codes/export.csv${query({ batch })}`;

/** @param {AdminContext} ctx @returns {Tab} */
export function codesTab(ctx) {
  const { i18n } = ctx;
  const panel = part(document, '#tab-codes');
  const form = /** @type {HTMLFormElement} */ (part(panel, 'form.add'));
  const kindInput = /** @type {HTMLSelectElement} */ (part(form, 'select[name="kind"]'));
  const kindFilter = /** @type {HTMLSelectElement} */ (part(panel, '[data-part="search"] select[name="kind"]'));
  const created = part(panel, '[data-part="created"]');
  /** @type {Batch|undefined} */
  let justCreated;

  /** @param {Batch} batch */
  const links = (batch) =>
    el(
      'span',
      { class: 'actions' },
      el('a', { class: 'button small', href: sheetHref(batch.id, false), target: '_blank', rel: 'noopener', 'data-action': 'sheet' }, i18n.t('admin.codes.sheet')),
      el('a', { class: 'button small', href: sheetHref(batch.id, true), target: '_blank', rel: 'noopener', 'data-action': 'sheet-unused' }, i18n.t('admin.codes.sheetUnused')),
      el('a', { class: 'button small', href: csvHref(batch.id), download: `claim-codes-${batch.id}.csv`, 'data-action': 'csv' }, i18n.t('admin.csv.export')),
      button(i18n.t('admin.codes.list'), () => showCodes(batch), { action: 'codes' }),
    );

  /** @type {ListView<Batch>} */
  const view = new ListView({
    panel,
    ctx,
    load: async (filter) => {
      const { batches } = await api('GET', `/api/pairing/claim-codes/batches${query(filter)}`);
      ctx.noteSites(batches.map((/** @type {Batch} */ b) => b.site));
      return { total: batches.length, items: batches };
    },
    key: (batch) => batch.id,
    row: (batch) => [
      el('code', {}, batch.id),
      batch.site,
      i18n.t(`kind.${batch.kind}`),
      orDash(batch.label),
      i18n.t('admin.codes.usedOf', { used: batch.used, count: batch.count }),
      i18n.dateTime(batch.createdAt),
      batch.createdBy,
      links(batch),
    ],
  });

  const renderCreated = () => {
    created.hidden = !justCreated;
    if (!justCreated) return;
    created.replaceChildren(el('p', {}, i18n.t('admin.codes.created', { count: justCreated.count, batch: justCreated.id, site: justCreated.site, kind: i18n.t(`kind.${justCreated.kind}`) })), links(justCreated));
  };

  wireAddForm(form, ctx, async (values) => {
    const answer = await api('POST', '/api/pairing/claim-codes', {
      site: values.site,
      kind: values.kind,
      count: Number(values.count),
      ...(values.prefix ? { prefix: values.prefix.toUpperCase() } : {}),
      ...(values.label ? { label: values.label } : {}),
    });
    justCreated = answer.batch;
    renderCreated();
    ctx.toast(i18n.t('admin.codes.createdToast', { count: answer.batch.count }));
    await view.reload();
  });

  /** @param {Batch} batch */
  async function showCodes(batch) {
    try {
      /** @type {{ total: number, codes: ClaimCode[] }} */
      const { codes } = await api('GET', `/api/pairing/claim-codes${query({ batch: batch.id, limit: 5000 })}`);
      const head = el('tr', {}, ...[i18n.t('admin.codes.code'), i18n.t('admin.codes.usedAt'), i18n.t('admin.codes.usedBy'), i18n.t('admin.codes.device')].map((h) => el('th', {}, h)));
      const rows = codes.map((c) => el('tr', {}, el('td', {}, el('code', {}, c.code)), el('td', {}, c.usedAt === null ? i18n.t('admin.codes.unused') : i18n.dateTime(c.usedAt)), el('td', {}, orDash(c.usedBy)), el('td', {}, orDash(c.deviceId))));
      ctx.showDetail(i18n.t('admin.codes.listHeading', { batch: batch.id }), el('table', { class: 'grid compact' }, el('thead', {}, head), el('tbody', {}, ...rows)));
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  const words = () => {
    fillKinds(kindInput, i18n);
    fillKinds(kindFilter, i18n, i18n.t('admin.filter.allKinds'));
  };
  words();

  return {
    load: async () => {
      if (!form.site.value) form.site.value = ctx.defaultSite();
      await view.load();
    },
    render: () => {
      words();
      renderCreated();
      view.render();
    },
  };
}
