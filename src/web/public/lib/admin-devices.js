// @ts-check
/**
 * Devices with their health (online, last seen, why offline) and their
 * pairing state (`/api/pairing/devices`: claimed by an installer, seen,
 * test received, commissioned). An admin may register one by hand — the
 * secret is shown once — disable, enable, give it a new secret, or delete it.
 */
import { api, query, seg } from './admin-api.js';
import { ListView } from './admin-list.js';
import { button, el, keepChoice, orDash, part, wireAddForm } from './admin-ui.js';

/** @typedef {import('./admin-ui.js').AdminContext} AdminContext */
/** @typedef {import('./admin-registers.js').Tab} Tab */
/** @typedef {import('./i18n.js').I18n} I18n */
/** @typedef {{ id: string, site: string, kind: string, model: string, name: string|null, lat: number|null, lon: number|null, disabled: boolean, createdAt: number, firstSeenAt: number|null, lastSeenAt: number|null, online: boolean, offlineReason: string|null }} Device */
/** @typedef {{ deviceId: string, state: string, claimedBy: string, registeredAt: number, code: string|null }} Commissioning */

export const KINDS = ['camera', 'lock', 'ebike-station', 'fire', 'team'];
const PAGE = 100;

/**
 * Fills a kind select in the page's language, keeping what was chosen.
 * @param {HTMLSelectElement} select @param {I18n} i18n @param {string} [allLabel] a first "any kind" option
 */
export function fillKinds(select, i18n, allLabel) {
  const chosen = select.value;
  select.replaceChildren(...(allLabel !== undefined ? [el('option', { value: '' }, allLabel)] : []), ...KINDS.map((kind) => el('option', { value: kind }, i18n.t(`kind.${kind}`))));
  keepChoice(select, chosen);
}

/** @param {I18n} i18n @param {string} state */
export function pairingStateText(i18n, state) {
  switch (state) {
    case 'registered':
      return i18n.t('admin.pairing.registered');
    case 'seen':
      return i18n.t('admin.pairing.seen');
    case 'test-received':
      return i18n.t('admin.pairing.testReceived');
    case 'commissioned':
      return i18n.t('admin.pairing.commissioned');
    default:
      return state;
  }
}

/** @param {I18n} i18n @param {Device} device */
function health(i18n, device) {
  if (device.disabled) return el('span', { class: 'health disabled', 'data-health': 'disabled' }, i18n.t('admin.devices.disabled'));
  if (device.online) return el('span', { class: 'health online', 'data-health': 'online' }, i18n.t('admin.devices.online'));
  if (device.firstSeenAt === null) return el('span', { class: 'health never', 'data-health': 'never' }, i18n.t('admin.devices.neverSeen'));
  return el(
    'span',
    { class: 'health offline', 'data-health': 'offline' },
    i18n.t('admin.devices.offline'),
    device.offlineReason ? el('small', {}, device.offlineReason) : null,
  );
}

/** @param {AdminContext} ctx @returns {Tab} */
export function devicesTab(ctx) {
  const { i18n } = ctx;
  const panel = part(document, '#tab-devices');
  const form = /** @type {HTMLFormElement} */ (part(panel, 'form.add'));
  const kindInput = /** @type {HTMLSelectElement} */ (part(form, 'select[name="kind"]'));
  const modelInput = /** @type {HTMLSelectElement} */ (part(form, 'select[name="model"]'));
  const kindFilter = /** @type {HTMLSelectElement} */ (part(panel, '[data-part="search"] select[name="kind"]'));
  const onlineFilter = /** @type {HTMLSelectElement} */ (part(panel, '[data-part="search"] select[name="online"]'));
  /** @type {{ id: string, kind: string, description: string }[]} */
  let models = [];
  /** @type {Map<string, Commissioning>} */
  let pairing = new Map();

  const fillModels = () => {
    const chosen = modelInput.value;
    modelInput.replaceChildren(...models.filter((m) => m.kind === kindInput.value).map((m) => el('option', { value: m.id, title: m.description }, m.id)));
    keepChoice(modelInput, chosen);
  };
  kindInput.addEventListener('change', fillModels);
  const fillSelects = () => {
    fillKinds(kindInput, i18n);
    fillKinds(kindFilter, i18n, i18n.t('admin.filter.allKinds'));
    fillModels();
  };

  /** @param {Device} device */
  const pairingCell = (device) => {
    const record = pairing.get(device.id);
    if (!record) return el('span', { class: 'muted', title: i18n.t('admin.devices.notClaimed') }, '—');
    return el('span', { class: `pairing ${record.state}`, 'data-pairing': record.state }, pairingStateText(i18n, record.state), el('small', {}, record.claimedBy));
  };

  /** @type {ListView<Device>} */
  const view = new ListView({
    panel,
    ctx,
    pageSize: PAGE,
    load: async (filter, page) => {
      const online = filter.online === 'online' ? true : filter.online === 'offline' ? false : undefined;
      const [answer, commissioning] = await Promise.all([
        api('GET', `/api/devices${query({ ...filter, online, ...page })}`),
        api('GET', '/api/pairing/devices?limit=1000'),
      ]);
      pairing = new Map(commissioning.devices.map((/** @type {Commissioning} */ c) => [c.deviceId, c]));
      ctx.noteSites(answer.devices.map((/** @type {Device} */ d) => d.site));
      return { total: answer.total, items: answer.devices };
    },
    key: (device) => device.id,
    row: (device) => [
      el('code', {}, device.id),
      orDash(device.name),
      i18n.t(`kind.${device.kind}`),
      device.model,
      device.site,
      health(i18n, device),
      device.lastSeenAt === null ? '—' : i18n.dateTime(device.lastSeenAt),
      pairingCell(device),
      el(
        'span',
        { class: 'actions' },
        device.disabled
          ? button(i18n.t('admin.action.enable'), () => setDisabled(device, false), { action: 'enable' })
          : button(i18n.t('admin.action.disable'), () => setDisabled(device, true), { action: 'disable', danger: true }),
        button(i18n.t('admin.devices.newSecret'), () => rotate(device), { action: 'secret', danger: true }),
        button(i18n.t('admin.action.delete'), () => remove(device), { action: 'delete', danger: true }),
      ),
    ],
  });

  wireAddForm(form, ctx, async (values) => {
    const lon = values.lon === '' ? undefined : Number(values.lon);
    const lat = values.lat === '' ? undefined : Number(values.lat);
    const created = await api('POST', '/api/devices', {
      id: values.id,
      site: values.site,
      kind: values.kind,
      model: values.model,
      ...(values.name ? { name: values.name } : {}),
      ...(lon !== undefined && Number.isFinite(lon) ? { lon } : {}),
      ...(lat !== undefined && Number.isFinite(lat) ? { lat } : {}),
    });
    form.reset();
    form.site.value = values.site;
    fillSelects();
    showCredentials(created, i18n.t('admin.devices.registeredHeading', { id: created.device.id }));
    await view.reload();
  });

  /** @param {{ device: Device, secret: string, mqtt: { publish: string[] } }} credentials @param {string} heading */
  function showCredentials(credentials, heading) {
    ctx.showSecret(heading, credentials.secret, i18n.t('admin.devices.secretNote', { id: credentials.device.id, topic: credentials.mqtt.publish[0] ?? '' }));
  }

  /** @param {Device} device @param {boolean} disabled */
  async function setDisabled(device, disabled) {
    if (disabled && !(await ctx.confirm(i18n.t('admin.devices.disableConfirm', { id: device.id }), i18n.t('admin.action.disable')))) return;
    try {
      await api('POST', `/api/devices/${seg(device.id)}/${disabled ? 'disable' : 'enable'}`);
      ctx.toast(disabled ? i18n.t('admin.devices.disabledDone', { id: device.id }) : i18n.t('admin.devices.enabledDone', { id: device.id }));
      await view.reload();
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  /** @param {Device} device */
  async function rotate(device) {
    if (!(await ctx.confirm(i18n.t('admin.devices.secretConfirm', { id: device.id }), i18n.t('admin.devices.newSecret')))) return;
    try {
      showCredentials(await api('POST', `/api/devices/${seg(device.id)}/secret`), i18n.t('admin.devices.secretHeading', { id: device.id }));
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  /** @param {Device} device */
  async function remove(device) {
    if (!(await ctx.confirm(i18n.t('admin.devices.deleteConfirm', { id: device.id }), i18n.t('admin.action.delete')))) return;
    try {
      await api('DELETE', `/api/devices/${seg(device.id)}`);
      ctx.toast(i18n.t('admin.devices.deleted', { id: device.id }));
      await view.reload();
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  const words = () => {
    fillSelects();
    const chosen = onlineFilter.value;
    onlineFilter.replaceChildren(
      el('option', { value: '' }, i18n.t('admin.filter.allHealth')),
      el('option', { value: 'online' }, i18n.t('admin.devices.online')),
      el('option', { value: 'offline' }, i18n.t('admin.devices.offline')),
    );
    keepChoice(onlineFilter, chosen);
  };
  words();

  return {
    load: async () => {
      if (!form.site.value) form.site.value = ctx.defaultSite();
      if (!models.length) {
        try {
          models = (await api('GET', '/api/device-models')).models;
          fillModels();
        } catch (err) {
          ctx.toast(ctx.errorText(err), 'error');
        }
      }
      await view.load();
    },
    render: () => {
      words();
      view.render();
    },
  };
}
