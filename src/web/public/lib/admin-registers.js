// @ts-check
/**
 * The registers the rules consult (docs/admin-page.md): rooms' tenant cards,
 * the card blacklist and stolen e-bike tags. A card number is typed or
 * scanned into its input once, sent in the request body, and the input is
 * emptied: the page only ever shows the masked form the gateway returns.
 */
import { api, query, seg } from './admin-api.js';
import { ListView, wireRegisterCsv } from './admin-list.js';
import { button, el, orDash, part, siteDate, siteEpoch, siteInputValue, wireAddForm } from './admin-ui.js';

/** @typedef {import('./admin-ui.js').AdminContext} AdminContext */
/** @typedef {{ load(): Promise<void>, render(): void, filter?(values: Record<string, string>): void }} Tab */
/** @typedef {{ site: string, room: string, cardHash: string, cardMasked: string, tenantName: string|null, validUntil: number|null, addedAt: number, addedBy: string }} RoomCard */
/** @typedef {{ site: string, cardHash: string, cardMasked: string, reason: string, addedAt: number, addedBy: string }} BlacklistEntry */
/** @typedef {{ tag: string, ownerName: string, ownerContact: string, reportedAt: number, note: string|null, addedAt: number, addedBy: string }} StolenTag */

const PAGE = 50;

/** The masked card, in a fixed-width face. @param {string} masked */
const masked = (masked) => el('code', { class: 'masked' }, masked);

/** When and by whom. @param {AdminContext} ctx @param {number} at @param {string} by */
const added = (ctx, at, by) => el('span', { class: 'added' }, ctx.i18n.dateTime(at), el('small', {}, by));

/** @param {AdminContext} ctx @returns {Tab} */
export function roomsTab(ctx) {
  const { i18n } = ctx;
  const panel = part(document, '#tab-rooms');
  const form = /** @type {HTMLFormElement} */ (part(panel, 'form.add'));
  const cardInput = /** @type {HTMLInputElement} */ (part(form, 'input[name="card"]'));

  /** @param {RoomCard} card */
  const validity = (card) => {
    if (card.validUntil === null) return i18n.t('admin.rooms.noEnd');
    const date = siteDate(i18n, card.validUntil);
    return card.validUntil < Date.now() ? el('span', { class: 'expired' }, date, ' ', el('span', { class: 'badge warn' }, i18n.t('admin.rooms.expired'))) : date;
  };

  /** @param {RoomCard} card */
  const actions = (card) =>
    el(
      'span',
      { class: 'actions' },
      button(i18n.t('admin.action.edit'), () => editCard(card), { action: 'edit' }),
      button(i18n.t('admin.action.audit'), () => ctx.show('audit', { register: 'room-cards', site: card.site, key: card.cardHash }), { action: 'audit' }),
      button(i18n.t('admin.action.remove'), () => removeCard(card), { action: 'remove', danger: true }),
    );

  /** @type {ListView<RoomCard>} */
  const view = new ListView({
    panel,
    ctx,
    pageSize: PAGE,
    load: async (filter, page) => {
      const answer = await api('GET', `/api/registers/room-cards${query({ ...filter, ...page })}`);
      ctx.noteSites(answer.cards.map((/** @type {RoomCard} */ c) => c.site));
      return { total: answer.total, items: answer.cards };
    },
    key: (card) => `${card.site}/${card.room}/${card.cardHash}`,
    row: (card) => [card.site, card.room, masked(card.cardMasked), orDash(card.tenantName), validity(card), added(ctx, card.addedAt, card.addedBy), actions(card)],
  });
  const csv = wireRegisterCsv({ panel, ctx, register: 'room-cards', site: () => view.filter().site, imported: () => view.reload() });

  wireAddForm(form, ctx, async (values) => {
    const validUntil = values.validUntil ? siteEpoch(values.validUntil, i18n.timeZone, true) : undefined;
    /** @type {RoomCard} */
    const saved = await api('POST', `/api/registers/room-cards/${seg(values.site)}/${seg(values.room)}`, {
      card: values.card,
      ...(values.tenantName ? { tenantName: values.tenantName } : {}),
      ...(validUntil !== undefined ? { validUntil } : {}),
    });
    // The number has done its work: hashed and masked by the gateway, it leaves the page.
    // Room and validity stay for the next card of the same room; the tenant is another person.
    cardInput.value = '';
    form.tenantName.value = '';
    ctx.toast(i18n.t('admin.rooms.added', { card: saved.cardMasked, room: saved.room, site: saved.site }));
    ctx.noteSites([saved.site]);
    await view.reload();
    cardInput.focus();
  });

  /** @param {RoomCard} card */
  function editCard(card) {
    ctx.edit({
      heading: i18n.t('admin.rooms.editHeading', { card: card.cardMasked, room: card.room }),
      confirm: i18n.t('admin.action.save'),
      fields: [
        { name: 'tenantName', label: i18n.t('admin.field.tenant'), value: card.tenantName ?? '', attributes: { maxlength: '80' } },
        { name: 'validUntil', label: i18n.t('admin.field.validUntil'), type: 'date', value: card.validUntil === null ? '' : siteInputValue(card.validUntil, i18n.timeZone, false), hint: i18n.t('admin.rooms.validHint') },
      ],
      submit: async (values) => {
        const validUntil = values.validUntil ? siteEpoch(values.validUntil, i18n.timeZone, true) ?? null : null;
        await api('PATCH', `/api/registers/room-cards/${seg(card.site)}/${seg(card.room)}/${card.cardHash}`, { tenantName: values.tenantName || null, validUntil });
        ctx.toast(i18n.t('admin.saved'));
        await view.reload();
      },
    });
  }

  /** @param {RoomCard} card */
  async function removeCard(card) {
    if (!(await ctx.confirm(i18n.t('admin.rooms.removeConfirm', { card: card.cardMasked, room: card.room, site: card.site }), i18n.t('admin.action.remove')))) return;
    try {
      await api('DELETE', `/api/registers/room-cards/${seg(card.site)}/${seg(card.room)}/${card.cardHash}`);
      ctx.toast(i18n.t('admin.rooms.removed', { card: card.cardMasked, room: card.room }));
      await view.reload();
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  return {
    load: async () => {
      if (!form.site.value) form.site.value = ctx.defaultSite();
      await view.load();
    },
    render: () => {
      view.render();
      csv.render();
    },
  };
}

/** @param {AdminContext} ctx @returns {Tab} */
export function blacklistTab(ctx) {
  const { i18n } = ctx;
  const panel = part(document, '#tab-blacklist');
  const form = /** @type {HTMLFormElement} */ (part(panel, 'form.add'));
  const cardInput = /** @type {HTMLInputElement} */ (part(form, 'input[name="card"]'));

  /** @type {ListView<BlacklistEntry>} */
  const view = new ListView({
    panel,
    ctx,
    load: async (filter) => {
      const { entries } = await api('GET', `/api/registers/blacklist${query(filter)}`);
      ctx.noteSites(entries.map((/** @type {BlacklistEntry} */ e) => e.site));
      return { total: entries.length, items: entries };
    },
    key: (entry) => `${entry.site}/${entry.cardHash}`,
    row: (entry) => [
      entry.site,
      masked(entry.cardMasked),
      entry.reason,
      added(ctx, entry.addedAt, entry.addedBy),
      el(
        'span',
        { class: 'actions' },
        button(i18n.t('admin.action.edit'), () => editReason(entry), { action: 'edit' }),
        button(i18n.t('admin.action.audit'), () => ctx.show('audit', { register: 'blacklist', site: entry.site, key: entry.cardHash }), { action: 'audit' }),
        button(i18n.t('admin.blacklist.lift'), () => lift(entry), { action: 'remove', danger: true }),
      ),
    ],
  });
  const csv = wireRegisterCsv({ panel, ctx, register: 'blacklist', site: () => view.filter().site, imported: () => view.reload() });

  wireAddForm(form, ctx, async (values) => {
    /** @type {BlacklistEntry} */
    const saved = await api('POST', '/api/registers/blacklist', { site: values.site, card: values.card, reason: values.reason });
    cardInput.value = '';
    ctx.toast(i18n.t('admin.blacklist.added', { card: saved.cardMasked, site: saved.site }));
    await view.reload();
  });

  /** @param {BlacklistEntry} entry */
  function editReason(entry) {
    ctx.edit({
      heading: i18n.t('admin.blacklist.editHeading', { card: entry.cardMasked }),
      confirm: i18n.t('admin.action.save'),
      fields: [{ name: 'reason', label: i18n.t('admin.field.reason'), value: entry.reason, required: true, attributes: { maxlength: '200' } }],
      submit: async (values) => {
        await api('PATCH', `/api/registers/blacklist/${seg(entry.site)}/${entry.cardHash}`, { reason: values.reason });
        ctx.toast(i18n.t('admin.saved'));
        await view.reload();
      },
    });
  }

  /** @param {BlacklistEntry} entry */
  async function lift(entry) {
    if (!(await ctx.confirm(i18n.t('admin.blacklist.liftConfirm', { card: entry.cardMasked, site: entry.site }), i18n.t('admin.blacklist.lift')))) return;
    try {
      await api('DELETE', `/api/registers/blacklist/${seg(entry.site)}/${entry.cardHash}`);
      ctx.toast(i18n.t('admin.blacklist.lifted', { card: entry.cardMasked }));
      await view.reload();
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  return {
    load: async () => {
      if (!form.site.value) form.site.value = ctx.defaultSite();
      await view.load();
    },
    render: () => {
      view.render();
      csv.render();
    },
  };
}

/** @param {AdminContext} ctx @returns {Tab} */
export function stolenTab(ctx) {
  const { i18n } = ctx;
  const panel = part(document, '#tab-stolen');
  const form = /** @type {HTMLFormElement} */ (part(panel, 'form.add'));
  const reportedAt = /** @type {HTMLInputElement} */ (part(form, 'input[name="reportedAt"]'));

  /** @type {ListView<StolenTag>} */
  const view = new ListView({
    panel,
    ctx,
    pageSize: PAGE,
    load: async (filter, page) => {
      const answer = await api('GET', `/api/registers/stolen-tags${query({ ...filter, ...page })}`);
      return { total: answer.total, items: answer.tags };
    },
    key: (tag) => tag.tag,
    row: (tag) => [
      el('code', {}, tag.tag),
      tag.ownerName,
      tag.ownerContact,
      i18n.dateTime(tag.reportedAt),
      orDash(tag.note),
      added(ctx, tag.addedAt, tag.addedBy),
      el(
        'span',
        { class: 'actions' },
        button(i18n.t('admin.action.edit'), () => editTag(tag), { action: 'edit' }),
        button(i18n.t('admin.action.audit'), () => ctx.show('audit', { register: 'stolen-tags', key: tag.tag }), { action: 'audit' }),
        button(i18n.t('admin.stolen.recovered'), () => recover(tag), { action: 'recover', danger: true }),
      ),
    ],
  });
  const csv = wireRegisterCsv({ panel, ctx, register: 'stolen-tags', imported: () => view.reload() });

  /** @param {Record<string, any>} values */
  const body = (values) => {
    const at = values.reportedAt ? siteEpoch(values.reportedAt, i18n.timeZone) : undefined;
    return {
      tag: values.tag,
      ownerName: values.ownerName,
      ownerContact: values.ownerContact,
      ...(at !== undefined ? { reportedAt: at } : {}),
      ...(values.note ? { note: values.note } : {}),
    };
  };

  wireAddForm(form, ctx, async (values) => {
    /** @type {StolenTag} */
    const saved = await api('POST', '/api/registers/stolen-tags', body(values));
    form.reset();
    reportedAt.value = siteInputValue(Date.now(), i18n.timeZone, true);
    ctx.toast(i18n.t('admin.stolen.added', { tag: saved.tag }));
    await view.load(0);
  });

  /** @param {StolenTag} tag */
  function editTag(tag) {
    ctx.edit({
      heading: i18n.t('admin.stolen.editHeading', { tag: tag.tag }),
      confirm: i18n.t('admin.action.save'),
      fields: [
        { name: 'ownerName', label: i18n.t('admin.field.ownerName'), value: tag.ownerName, required: true, attributes: { maxlength: '80' } },
        { name: 'ownerContact', label: i18n.t('admin.field.ownerContact'), value: tag.ownerContact, required: true, attributes: { maxlength: '80' } },
        { name: 'reportedAt', label: i18n.t('admin.field.reportedAt'), type: 'datetime-local', value: siteInputValue(tag.reportedAt, i18n.timeZone, true), required: true },
        { name: 'note', label: i18n.t('admin.field.note'), type: 'textarea', value: tag.note ?? '' },
      ],
      submit: async (values) => {
        await api('POST', '/api/registers/stolen-tags', body({ ...values, tag: tag.tag }));
        ctx.toast(i18n.t('admin.saved'));
        await view.reload();
      },
    });
  }

  /** @param {StolenTag} tag */
  async function recover(tag) {
    if (!(await ctx.confirm(i18n.t('admin.stolen.recoverConfirm', { tag: tag.tag, owner: tag.ownerName }), i18n.t('admin.stolen.recovered')))) return;
    try {
      await api('POST', `/api/registers/stolen-tags/${seg(tag.tag)}/recover`);
      ctx.toast(i18n.t('admin.stolen.recoveredDone', { tag: tag.tag }));
      await view.reload();
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  return {
    load: async () => {
      if (!reportedAt.value) reportedAt.value = siteInputValue(Date.now(), i18n.timeZone, true);
      await view.load();
    },
    render: () => {
      view.render();
      csv.render();
    },
  };
}
