// @ts-check
/**
 * Fire-brigade webhook subscriptions (docs/brigade-webhooks.md) and their
 * delivery log: add a receiver (its signing secret is shown once), change
 * its filters, pause it, give it a new secret, and see every delivery with
 * its attempts — a failed or dead one can be sent again.
 */
import { api, query, seg } from './admin-api.js';
import { KINDS } from './admin-devices.js';
import { ListView } from './admin-list.js';
import { button, el, keepChoice, orDash, part, wireAddForm } from './admin-ui.js';

/** @typedef {import('./admin-ui.js').AdminContext} AdminContext */
/** @typedef {import('./admin-registers.js').Tab} Tab */
/** @typedef {import('./i18n.js').I18n} I18n */
/** @typedef {{ id: string, name: string, url: string, severities: string[], kinds: string[], enabled: boolean, createdAt: number, updatedAt: number }} Subscription */
/** @typedef {{ id: number, at: number, statusCode: number|null, error: string|null, durationMs: number, outcome: string }} Attempt */
/** @typedef {{ id: number, subscriptionId: string, incidentId: number, type: string, update: string, status: string, attempts: number, nextAttemptAt: number, updatedAt: number, deliveredAt: number|null, lastStatusCode: number|null, lastError: string|null, attemptLog: Attempt[] }} Delivery */

const SEVERITIES = ['red', 'orange', 'blue', 'green'];

/** @param {I18n} i18n @param {string} status */
function deliveryStatus(i18n, status) {
  switch (status) {
    case 'pending':
      return i18n.t('admin.delivery.pending');
    case 'delivered':
      return i18n.t('admin.delivery.delivered');
    case 'failed':
      return i18n.t('admin.delivery.failed');
    case 'dead':
      return i18n.t('admin.delivery.dead');
    default:
      return status;
  }
}

/** @param {AdminContext} ctx @returns {Tab} */
export function brigadeTab(ctx) {
  const { i18n } = ctx;
  const panel = part(document, '#tab-brigade');
  const form = /** @type {HTMLFormElement} */ (part(panel, 'form.add'));
  const choices = part(form, '[data-part="choices"]');
  const deliveriesPanel = part(panel, '[data-part="deliveries"]');
  const subscriptionFilter = /** @type {HTMLSelectElement} */ (part(deliveriesPanel, 'select[name="subscriptionId"]'));
  const statusFilter = /** @type {HTMLSelectElement} */ (part(deliveriesPanel, 'select[name="status"]'));
  /** @type {Subscription[]} */
  let subscriptions = [];

  const kindOptions = () => KINDS.map((k) => ({ value: k, label: i18n.t(`kind.${k}`) }));
  const severityOptions = () => SEVERITIES.map((s) => ({ value: s, label: i18n.t(`severity.${s}`) }));
  /** @param {string} name @param {string} legend @param {{ value: string, label: string }[]} options @param {string[]} chosen */
  const checkboxes = (name, legend, options, chosen) =>
    el(
      'fieldset',
      { class: 'choices' },
      el('legend', {}, legend),
      ...options.map((o) => el('label', { class: 'choice' }, el('input', { type: 'checkbox', name, value: o.value, checked: chosen.includes(o.value) }), o.label)),
    );
  /** The add form's kind and severity boxes, worded again on a language switch, keeping what is ticked. */
  const fillChoices = () => {
    /** @param {string} name @param {string[]} fallback */
    const ticked = (name, fallback) => {
      const boxes = [...form.querySelectorAll(`input[name="${name}"]`)].map((b) => /** @type {HTMLInputElement} */ (b));
      return boxes.length ? boxes.filter((b) => b.checked).map((b) => b.value) : fallback;
    };
    const kinds = ticked('kinds', ['fire']);
    const severities = ticked('severities', ['red', 'orange']);
    choices.replaceChildren(checkboxes('kinds', i18n.t('admin.field.kinds'), kindOptions(), kinds), checkboxes('severities', i18n.t('admin.field.severities'), severityOptions(), severities));
  };

  /** @param {Subscription} s */
  const nameOf = (s) => s.name;

  /** @type {ListView<Subscription>} */
  const view = new ListView({
    panel: part(panel, '[data-part="subscriptions"]'),
    ctx,
    load: async () => {
      subscriptions = (await api('GET', '/api/brigade/subscriptions')).subscriptions;
      fillSubscriptionFilter();
      return { total: subscriptions.length, items: subscriptions };
    },
    key: (s) => s.id,
    row: (s) => [
      nameOf(s),
      el('code', { class: 'url' }, s.url),
      s.kinds.map((k) => i18n.t(`kind.${k}`)).join(i18n.t('admin.listSeparator')),
      s.severities.map((v) => i18n.t(`severity.${v}`)).join(i18n.t('admin.listSeparator')),
      s.enabled ? el('span', { class: 'badge ok' }, i18n.t('admin.brigade.enabled')) : el('span', { class: 'badge warn' }, i18n.t('admin.brigade.paused')),
      i18n.dateTime(s.updatedAt),
      el(
        'span',
        { class: 'actions' },
        button(i18n.t('admin.action.edit'), () => edit(s), { action: 'edit' }),
        s.enabled
          ? button(i18n.t('admin.brigade.pause'), () => setEnabled(s, false), { action: 'disable' })
          : button(i18n.t('admin.action.enable'), () => setEnabled(s, true), { action: 'enable' }),
        button(i18n.t('admin.brigade.newSecret'), () => rotate(s), { action: 'secret', danger: true }),
        button(i18n.t('admin.brigade.deliveries'), () => showDeliveries(s), { action: 'deliveries' }),
        button(i18n.t('admin.action.delete'), () => remove(s), { action: 'delete', danger: true }),
      ),
    ],
  });

  /** @type {ListView<Delivery>} */
  const deliveries = new ListView({
    panel: deliveriesPanel,
    ctx,
    load: async (filter) => {
      const answer = await api('GET', `/api/brigade/deliveries${query({ ...filter, limit: 200, attempts: 20 })}`);
      return { total: answer.deliveries.length, items: answer.deliveries };
    },
    key: (d) => String(d.id),
    row: (d) => {
      const subscription = subscriptions.find((s) => s.id === d.subscriptionId);
      return [
        String(d.id),
        subscription ? nameOf(subscription) : d.subscriptionId,
        `#${d.incidentId}`,
        `${d.type} / ${d.update}`,
        el('span', { class: `delivery ${d.status}`, 'data-status': d.status }, deliveryStatus(i18n, d.status)),
        i18n.number(d.attempts),
        d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : orDash(d.lastError),
        i18n.dateTime(d.updatedAt),
        el(
          'span',
          { class: 'actions' },
          button(i18n.t('admin.brigade.attempts'), () => showAttempts(d), { action: 'attempts' }),
          d.status !== 'delivered' ? button(i18n.t('admin.brigade.retry'), () => retry(d), { action: 'retry' }) : null,
        ),
      ];
    },
  });

  const fillSubscriptionFilter = () => {
    const chosen = subscriptionFilter.value;
    subscriptionFilter.replaceChildren(el('option', { value: '' }, i18n.t('admin.brigade.allSubscriptions')), ...subscriptions.map((s) => el('option', { value: s.id }, nameOf(s))));
    keepChoice(subscriptionFilter, chosen);
  };
  const fillStatusFilter = () => {
    const chosen = statusFilter.value;
    statusFilter.replaceChildren(
      el('option', { value: '' }, i18n.t('admin.brigade.allStatuses')),
      ...['pending', 'delivered', 'failed', 'dead'].map((s) => el('option', { value: s }, deliveryStatus(i18n, s))),
    );
    keepChoice(statusFilter, chosen);
  };

  wireAddForm(form, ctx, async (values) => {
    const created = await api('POST', '/api/brigade/subscriptions', {
      name: values.name,
      url: values.url,
      ...(values.secret ? { secret: values.secret } : {}),
      kinds: values.kinds,
      severities: values.severities,
      enabled: values.enabled,
    });
    form.reset();
    fillChoices();
    ctx.showSecret(i18n.t('admin.brigade.secretHeading', { name: created.subscription.name }), created.secret, i18n.t('admin.brigade.secretNote'));
    await view.reload();
  });

  /** @param {Subscription} s */
  function edit(s) {
    ctx.edit({
      heading: i18n.t('admin.brigade.editHeading', { name: s.name }),
      confirm: i18n.t('admin.action.save'),
      fields: [
        { name: 'name', label: i18n.t('admin.field.name'), value: s.name, required: true, attributes: { maxlength: '120' } },
        { name: 'url', label: i18n.t('admin.field.url'), type: 'url', value: s.url, required: true, attributes: { maxlength: '2048' } },
        { name: 'kinds', label: i18n.t('admin.field.kinds'), type: 'checkboxes', value: s.kinds, options: kindOptions() },
        { name: 'severities', label: i18n.t('admin.field.severities'), type: 'checkboxes', value: s.severities, options: severityOptions() },
      ],
      submit: async (values) => {
        await api('PATCH', `/api/brigade/subscriptions/${seg(s.id)}`, { name: values.name, url: values.url, kinds: values.kinds, severities: values.severities });
        ctx.toast(i18n.t('admin.saved'));
        await view.reload();
      },
    });
  }

  /** @param {Subscription} s @param {boolean} enabled */
  async function setEnabled(s, enabled) {
    try {
      await api('PATCH', `/api/brigade/subscriptions/${seg(s.id)}`, { enabled });
      await view.reload();
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  /** @param {Subscription} s */
  async function rotate(s) {
    if (!(await ctx.confirm(i18n.t('admin.brigade.secretConfirm', { name: s.name }), i18n.t('admin.brigade.newSecret')))) return;
    try {
      const rotated = await api('POST', `/api/brigade/subscriptions/${seg(s.id)}/secret`);
      ctx.showSecret(i18n.t('admin.brigade.secretHeading', { name: s.name }), rotated.secret, i18n.t('admin.brigade.secretNote'));
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  /** @param {Subscription} s */
  async function remove(s) {
    if (!(await ctx.confirm(i18n.t('admin.brigade.deleteConfirm', { name: s.name }), i18n.t('admin.action.delete')))) return;
    try {
      await api('DELETE', `/api/brigade/subscriptions/${seg(s.id)}`);
      ctx.toast(i18n.t('admin.brigade.deleted', { name: s.name }));
      await view.reload();
      await deliveries.reload();
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  /** @param {Subscription} s */
  async function showDeliveries(s) {
    subscriptionFilter.value = s.id;
    await deliveries.load(0);
    deliveriesPanel.scrollIntoView({ block: 'start' });
  }

  /** @param {Delivery} d */
  async function retry(d) {
    try {
      await api('POST', `/api/brigade/deliveries/${d.id}/retry`);
      ctx.toast(i18n.t('admin.brigade.retried', { id: d.id }));
      await deliveries.reload();
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  /** @param {Delivery} d */
  function showAttempts(d) {
    const head = el('tr', {}, ...[i18n.t('admin.col.time'), i18n.t('admin.brigade.outcome'), i18n.t('admin.brigade.answer'), i18n.t('admin.brigade.duration')].map((h) => el('th', {}, h)));
    const rows = d.attemptLog.map((a) =>
      el('tr', {}, el('td', {}, i18n.dateTime(a.at)), el('td', {}, a.outcome), el('td', {}, a.statusCode !== null ? `HTTP ${a.statusCode}` : orDash(a.error)), el('td', {}, i18n.t('admin.brigade.ms', { ms: a.durationMs }))),
    );
    const body = rows.length ? el('table', { class: 'grid compact' }, el('thead', {}, head), el('tbody', {}, ...rows)) : el('p', { class: 'empty' }, i18n.t('admin.brigade.noAttempts'));
    ctx.showDetail(i18n.t('admin.brigade.attemptsHeading', { id: d.id, incident: d.incidentId }), body);
  }

  const words = () => {
    fillChoices();
    fillSubscriptionFilter();
    fillStatusFilter();
  };
  words();

  return {
    load: async () => {
      await view.load();
      await deliveries.load();
    },
    render: () => {
      words();
      view.render();
      deliveries.render();
    },
  };
}
