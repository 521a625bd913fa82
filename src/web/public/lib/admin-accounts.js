// @ts-check
/**
 * People's accounts (docs/accounts.md): create with a role and an initial
 * password, change name, role or team, reset the password, disable, log out
 * everywhere, delete, and read what was done to and by each account.
 */
import { api, query, seg } from './admin-api.js';
import { ListView } from './admin-list.js';
import { button, el, keepChoice, orDash, part, wireAddForm } from './admin-ui.js';

/** @typedef {import('./admin-ui.js').AdminContext} AdminContext */
/** @typedef {import('./admin-registers.js').Tab} Tab */
/** @typedef {import('./i18n.js').I18n} I18n */
/** @typedef {{ username: string, displayName: string, role: string, teamId: string|null, disabled: boolean, createdAt: number, lastLoginAt: number|null }} Account */
/** @typedef {{ id: number, at: number, actor: string, username: string, action: string, detail: Record<string, unknown> }} AccountAuditEntry */

export const ROLES = ['admin', 'operator', 'installer', 'brigade', 'team'];

/** @param {I18n} i18n @param {string} role */
export function roleName(i18n, role) {
  switch (role) {
    case 'admin':
      return i18n.t('admin.role.admin');
    case 'operator':
      return i18n.t('admin.role.operator');
    case 'installer':
      return i18n.t('admin.role.installer');
    case 'brigade':
      return i18n.t('admin.role.brigade');
    case 'team':
      return i18n.t('admin.role.team');
    default:
      return role;
  }
}

/** @param {I18n} i18n @param {string} action */
function accountActionName(i18n, action) {
  switch (action) {
    case 'create':
      return i18n.t('admin.accountAudit.create');
    case 'update':
      return i18n.t('admin.accountAudit.update');
    case 'set-password':
      return i18n.t('admin.accountAudit.setPassword');
    case 'disable':
      return i18n.t('admin.accountAudit.disable');
    case 'enable':
      return i18n.t('admin.accountAudit.enable');
    case 'delete':
      return i18n.t('admin.accountAudit.delete');
    case 'login':
      return i18n.t('admin.accountAudit.login');
    case 'login-failed':
      return i18n.t('admin.accountAudit.loginFailed');
    case 'logout':
      return i18n.t('admin.accountAudit.logout');
    case 'revoke-sessions':
      return i18n.t('admin.accountAudit.revokeSessions');
    default:
      return action;
  }
}

/**
 * @param {AdminContext} ctx
 * @param {() => { id: string, name: string }[]} knownTeams teams for a team account
 * @returns {Tab}
 */
export function accountsTab(ctx, knownTeams) {
  const { i18n } = ctx;
  const panel = part(document, '#tab-accounts');
  const form = /** @type {HTMLFormElement} */ (part(panel, 'form.add'));
  const roleInput = /** @type {HTMLSelectElement} */ (part(form, 'select[name="role"]'));
  const teamInput = /** @type {HTMLSelectElement} */ (part(form, 'select[name="teamId"]'));
  const teamField = /** @type {HTMLElement} */ (teamInput.closest('label'));
  /** @type {{ id: string, name: string }[]} */
  let teams = [];

  /** @param {HTMLSelectElement} select */
  const fillRoles = (select) => {
    const chosen = select.value || 'operator';
    select.replaceChildren(...ROLES.map((role) => el('option', { value: role }, roleName(i18n, role))));
    keepChoice(select, chosen);
  };
  /** @param {string|null} [chosen] */
  const teamOptions = (chosen) => [
    { value: '', label: i18n.t('admin.accounts.chooseTeam') },
    ...teams.map((t) => ({ value: t.id, label: `${t.name} (${t.id})` })),
    ...(chosen && !teams.some((t) => t.id === chosen) ? [{ value: chosen, label: chosen }] : []),
  ];
  const fillTeams = () => {
    const chosen = teamInput.value;
    teamInput.replaceChildren(...teamOptions().map((o) => el('option', { value: o.value }, o.label)));
    keepChoice(teamInput, chosen);
    teamField.hidden = roleInput.value !== 'team';
    teamInput.disabled = roleInput.value !== 'team';
  };
  roleInput.addEventListener('change', fillTeams);

  /** @type {ListView<Account>} */
  const view = new ListView({
    panel,
    ctx,
    load: async (filter) => {
      const [answer, teamList] = await Promise.all([api('GET', '/api/accounts'), api('GET', '/api/teams').catch(() => ({ teams: knownTeams() }))]);
      teams = teamList.teams;
      fillTeams();
      /** @type {Account[]} */
      const accounts = answer.accounts;
      const needle = (filter.search ?? '').toLowerCase();
      const shown = accounts.filter(
        (a) => (!filter.role || a.role === filter.role) && (!needle || [a.username, a.displayName, a.teamId ?? ''].some((v) => v.toLowerCase().includes(needle))),
      );
      return { total: shown.length, items: shown.sort((a, b) => a.username.localeCompare(b.username)) };
    },
    key: (account) => account.username,
    row: (account) => [
      el('code', {}, account.username),
      account.displayName,
      roleName(i18n, account.role),
      orDash(account.teamId),
      account.disabled ? el('span', { class: 'badge warn' }, i18n.t('admin.accounts.disabled')) : el('span', { class: 'badge ok' }, i18n.t('admin.accounts.enabled')),
      account.lastLoginAt === null ? i18n.t('admin.accounts.never') : i18n.dateTime(account.lastLoginAt),
      i18n.dateTime(account.createdAt),
      el(
        'span',
        { class: 'actions' },
        button(i18n.t('admin.action.edit'), () => edit(account), { action: 'edit' }),
        button(i18n.t('admin.accounts.resetPassword'), () => resetPassword(account), { action: 'password' }),
        account.disabled
          ? button(i18n.t('admin.action.enable'), () => setDisabled(account, false), { action: 'enable' })
          : button(i18n.t('admin.action.disable'), () => setDisabled(account, true), { action: 'disable', danger: true }),
        button(i18n.t('admin.accounts.logoutEverywhere'), () => revoke(account), { action: 'sessions' }),
        button(i18n.t('admin.action.audit'), () => showAudit(account), { action: 'audit' }),
        button(i18n.t('admin.action.delete'), () => remove(account), { action: 'delete', danger: true }),
      ),
    ],
  });

  wireAddForm(form, ctx, async (values) => {
    /** @type {Account} */
    const account = await api('POST', '/api/accounts', {
      username: values.username.toLowerCase(),
      displayName: values.displayName,
      role: values.role,
      ...(values.role === 'team' ? { teamId: values.teamId || null } : {}),
      password: values.password,
    });
    form.reset();
    fillRoles(roleInput);
    fillTeams();
    ctx.toast(i18n.t('admin.accounts.created', { username: account.username, role: roleName(i18n, account.role) }));
    await view.reload();
  });

  /** @param {Account} account */
  function edit(account) {
    ctx.edit({
      heading: i18n.t('admin.accounts.editHeading', { username: account.username }),
      confirm: i18n.t('admin.action.save'),
      fields: [
        { name: 'displayName', label: i18n.t('admin.field.displayName'), value: account.displayName, required: true, attributes: { maxlength: '80' } },
        { name: 'role', label: i18n.t('admin.field.role'), type: 'select', value: account.role, options: ROLES.map((r) => ({ value: r, label: roleName(i18n, r) })) },
        { name: 'teamId', label: i18n.t('admin.field.team'), type: 'select', value: account.teamId ?? '', options: teamOptions(account.teamId), hint: i18n.t('admin.accounts.teamHint') },
      ],
      submit: async (values) => {
        await api('PATCH', `/api/accounts/${seg(account.username)}`, {
          displayName: values.displayName,
          role: values.role,
          teamId: values.role === 'team' ? values.teamId || null : null,
        });
        ctx.toast(i18n.t('admin.saved'));
        await view.reload();
      },
    });
  }

  /** @param {Account} account */
  function resetPassword(account) {
    ctx.edit({
      heading: i18n.t('admin.accounts.passwordHeading', { username: account.username }),
      confirm: i18n.t('admin.accounts.resetPassword'),
      fields: [{ name: 'password', label: i18n.t('admin.field.newPassword'), type: 'password', required: true, hint: i18n.t('admin.accounts.passwordHint'), attributes: { autocomplete: 'new-password', minlength: '10', maxlength: '200' } }],
      submit: async (values) => {
        await api('POST', `/api/accounts/${seg(account.username)}/password`, { password: values.password });
        ctx.toast(i18n.t('admin.accounts.passwordDone', { username: account.username }));
      },
    });
  }

  /** @param {Account} account @param {boolean} disabled */
  async function setDisabled(account, disabled) {
    if (disabled && !(await ctx.confirm(i18n.t('admin.accounts.disableConfirm', { username: account.username }), i18n.t('admin.action.disable')))) return;
    try {
      await api('POST', `/api/accounts/${seg(account.username)}/${disabled ? 'disable' : 'enable'}`);
      await view.reload();
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  /** @param {Account} account */
  async function revoke(account) {
    if (!(await ctx.confirm(i18n.t('admin.accounts.logoutConfirm', { username: account.username }), i18n.t('admin.accounts.logoutEverywhere')))) return;
    try {
      const { revoked } = await api('DELETE', `/api/accounts/${seg(account.username)}/sessions`);
      ctx.toast(i18n.t('admin.accounts.loggedOut', { username: account.username, count: revoked }));
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  /** @param {Account} account */
  async function remove(account) {
    if (!(await ctx.confirm(i18n.t('admin.accounts.deleteConfirm', { username: account.username }), i18n.t('admin.action.delete')))) return;
    try {
      await api('DELETE', `/api/accounts/${seg(account.username)}`);
      ctx.toast(i18n.t('admin.accounts.deleted', { username: account.username }));
      await view.reload();
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  /** @param {Account} account */
  async function showAudit(account) {
    try {
      /** @type {{ entries: AccountAuditEntry[] }} */
      const { entries } = await api('GET', `/api/accounts/${seg(account.username)}/audit${query({ limit: 200 })}`);
      const head = el('tr', {}, ...[i18n.t('admin.col.time'), i18n.t('admin.col.actor'), i18n.t('admin.col.action'), i18n.t('admin.col.detail')].map((h) => el('th', {}, h)));
      const rows = entries.map((e) =>
        el(
          'tr',
          {},
          el('td', {}, i18n.dateTime(e.at)),
          el('td', {}, e.actor),
          el('td', {}, accountActionName(i18n, e.action)),
          el('td', {}, Object.entries(e.detail).map(([k, v]) => `${k}: ${String(v)}`).join(' · ')),
        ),
      );
      const body = entries.length ? el('table', { class: 'grid compact' }, el('thead', {}, head), el('tbody', {}, ...rows)) : el('p', { class: 'empty' }, i18n.t('admin.empty'));
      ctx.showDetail(i18n.t('admin.accounts.auditHeading', { username: account.username }), body);
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  const words = () => {
    fillRoles(roleInput);
    const roleFilter = /** @type {HTMLSelectElement} */ (part(panel, '[data-part="search"] select[name="role"]'));
    const chosen = roleFilter.value;
    roleFilter.replaceChildren(el('option', { value: '' }, i18n.t('admin.filter.allRoles')), ...ROLES.map((role) => el('option', { value: role }, roleName(i18n, role))));
    keepChoice(roleFilter, chosen);
    fillTeams();
  };
  words();

  return {
    load: () => view.load(),
    render: () => {
      words();
      view.render();
    },
  };
}
