// @ts-check
/**
 * The village office's admin page (docs/admin-page.md): the registers the
 * rules depend on — rooms' tenant cards, the card blacklist, stolen e-bike
 * tags — with teams, devices, claim codes, brigade subscriptions, accounts
 * the registers' audit and the configuration audit (who changed devices,
 * teams, brigade webhooks), one tab each, on the gateway's own API.
 * Plain ES modules, no build step, nothing from outside the gateway.
 */
import { api, LOGIN_PATH } from './lib/admin-api.js';
import { accountsTab } from './lib/admin-accounts.js';
import { auditTab } from './lib/admin-audit.js';
import { brigadeTab } from './lib/admin-brigade.js';
import { changesTab } from './lib/admin-changes.js';
import { codesTab } from './lib/admin-codes.js';
import { devicesTab } from './lib/admin-devices.js';
import { blacklistTab, roomsTab, stolenTab } from './lib/admin-registers.js';
import { teamsTab } from './lib/admin-teams.js';
import { createDialogs, el, part } from './lib/admin-ui.js';
import { I18n, LOCALES } from './lib/i18n.js';

/** @typedef {import('./lib/admin-registers.js').Tab} Tab */
/** @typedef {import('./lib/admin-ui.js').AdminContext} AdminContext */

const TABS = /** @type {const} */ (['rooms', 'blacklist', 'stolen', 'teams', 'devices', 'codes', 'brigade', 'accounts', 'audit', 'changes']);
/** @typedef {(typeof TABS)[number]} TabName */

/** @param {string} name @returns {name is TabName} */
const isTab = (name) => /** @type {readonly string[]} */ (TABS).includes(name);

async function main() {
  const i18n = new I18n('Asia/Shanghai', 'admin');
  await i18n.use(I18n.initialLocale());
  const dialogs = createDialogs(i18n);

  /** @type {{ username: string, displayName: string, role: string }} */
  let me;
  try {
    me = await api('GET', '/api/auth/me');
    const site = await api('GET', '/api/site');
    i18n.setTimeZone(site.timeZone);
  } catch (err) {
    dialogs.toast(dialogs.errorText(err), 'error');
    document.body.dataset.ready = 'failed';
    return;
  }

  // Sites the admin has seen (devices, registers, batches): offered in every site input.
  const sites = new Set();
  const siteList = part(document, '#sites');
  /** @param {Iterable<string|null|undefined>} seen */
  const noteSites = (seen) => {
    const before = sites.size;
    for (const site of seen) if (site) sites.add(site);
    if (sites.size !== before) siteList.replaceChildren(...[...sites].sort().map((site) => el('option', { value: site })));
  };
  try {
    noteSites((await api('GET', '/api/devices?limit=50')).devices.map((/** @type {{ site: string }} */ d) => d.site));
  } catch {
    // The site inputs still take typing.
  }

  /** @type {Set<TabName>} */
  const loaded = new Set();
  /** @type {AdminContext} */
  const ctx = {
    ...dialogs,
    i18n,
    noteSites,
    defaultSite: () => [...sites].sort()[0] ?? '',
    show: (name, filter) => void (isTab(name) && show(name, filter)),
  };
  const teams = teamsTab(ctx);
  /** @type {Record<TabName, Tab>} */
  const tabs = {
    rooms: roomsTab(ctx),
    blacklist: blacklistTab(ctx),
    stolen: stolenTab(ctx),
    teams,
    devices: devicesTab(ctx),
    codes: codesTab(ctx),
    brigade: brigadeTab(ctx),
    accounts: accountsTab(ctx, () => teams.teams()),
    audit: auditTab(ctx),
    changes: changesTab(ctx),
  };

  const nav = part(document, 'nav.tabs');
  /** @param {TabName} name @param {Record<string, string>} [filter] */
  async function show(name, filter) {
    for (const tab of TABS) {
      const active = tab === name;
      const panel = part(document, `#tab-${tab}`);
      panel.hidden = !active;
      const link = part(nav, `[data-tab="${tab}"]`);
      link.setAttribute('aria-selected', String(active));
    }
    document.body.dataset.tab = name;
    if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
    const tab = tabs[name];
    if (filter && tab.filter) tab.filter(filter);
    if (filter || !loaded.has(name)) {
      loaded.add(name);
      await tab.load();
    }
  }
  nav.addEventListener('click', (event) => {
    const link = /** @type {HTMLElement} */ (event.target).closest('[data-tab]');
    if (!link) return;
    event.preventDefault();
    const name = /** @type {HTMLElement} */ (link).dataset.tab ?? '';
    if (isTab(name)) {
      // A tab opened again shows the gateway's current state.
      loaded.delete(name);
      void show(name);
    }
  });
  window.addEventListener('hashchange', () => {
    const name = location.hash.slice(1);
    if (isTab(name) && document.body.dataset.tab !== name) void show(name);
  });

  const who = part(document, '#who');
  const zone = part(document, '#zone');
  const words = () => {
    who.textContent = i18n.t('admin.who', { name: me.displayName, username: me.username });
    zone.textContent = i18n.t('admin.zone', { zone: i18n.timeZone });
    for (const tab of TABS) tabs[tab].render();
  };
  words();

  part(document, '#lang').addEventListener('click', async () => {
    const next = LOCALES[(LOCALES.indexOf(i18n.locale) + 1) % LOCALES.length] ?? 'zh-CN';
    try {
      await i18n.use(next);
      words();
    } catch (err) {
      dialogs.toast(dialogs.errorText(err), 'error');
    }
  });
  part(document, '#logout').addEventListener('click', async () => {
    try {
      await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' });
    } finally {
      location.assign(LOGIN_PATH);
    }
  });

  const first = location.hash.slice(1);
  await show(isTab(first) ? first : 'rooms');
  Object.assign(window, { __admin: { i18n, tabs, show } });
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  console.error(err);
  document.body.dataset.ready = 'failed';
});
