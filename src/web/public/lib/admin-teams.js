// @ts-check
/**
 * Patrol teams and their trackers (`/api/teams`): a team is registered with
 * a tracker device of kind `team` that belongs to no other team. The live
 * state (status, last fix, current incident) is what dispatch sees.
 */
import { api, seg } from './admin-api.js';
import { ListView } from './admin-list.js';
import { button, el, keepChoice, orDash, part, wireAddForm } from './admin-ui.js';

/** @typedef {import('./admin-ui.js').AdminContext} AdminContext */
/** @typedef {import('./admin-registers.js').Tab} Tab */
/** @typedef {{ id: string, name: string, trackerDeviceId: string, createdAt: number, status: string, reportedStatus: string, lon: number|null, lat: number|null, lastSeenAt: number|null, incidentId: number|null }} Team */

/** @param {AdminContext} ctx @returns {Tab & { teams(): Team[] }} */
export function teamsTab(ctx) {
  const { i18n } = ctx;
  const panel = part(document, '#tab-teams');
  const form = /** @type {HTMLFormElement} */ (part(panel, 'form.add'));
  const trackerInput = /** @type {HTMLSelectElement} */ (part(form, 'select[name="trackerDeviceId"]'));
  /** @type {Team[]} */
  let teams = [];
  /** @type {{ id: string, name: string|null, site: string }[]} */
  let trackers = [];

  const fillTrackers = () => {
    const taken = new Set(teams.map((t) => t.trackerDeviceId));
    const free = trackers.filter((d) => !taken.has(d.id));
    const chosen = trackerInput.value;
    trackerInput.replaceChildren(
      el('option', { value: '' }, free.length ? i18n.t('admin.teams.chooseTracker') : i18n.t('admin.teams.noFreeTracker')),
      ...free.map((d) => el('option', { value: d.id }, d.name ? `${d.id} (${d.name})` : d.id)),
    );
    keepChoice(trackerInput, chosen);
  };

  /** @type {ListView<Team>} */
  const view = new ListView({
    panel,
    ctx,
    load: async (filter) => {
      const [answer, devices] = await Promise.all([api('GET', '/api/teams'), api('GET', '/api/devices?kind=team&limit=5000')]);
      teams = answer.teams;
      trackers = devices.devices;
      fillTrackers();
      const needle = (filter.search ?? '').toLowerCase();
      const shown = needle ? teams.filter((t) => [t.id, t.name, t.trackerDeviceId].some((v) => v.toLowerCase().includes(needle))) : teams;
      return { total: shown.length, items: [...shown].sort((a, b) => a.name.localeCompare(b.name)) };
    },
    key: (team) => team.id,
    row: (team) => [
      el('code', {}, team.id),
      team.name,
      el('code', {}, team.trackerDeviceId),
      el('span', { class: `team-status ${team.status}`, 'data-status': team.status }, i18n.t(`teamStatus.${team.status}`)),
      team.lastSeenAt === null ? i18n.t('admin.teams.noFix') : i18n.dateTime(team.lastSeenAt),
      team.lon === null || team.lat === null ? '—' : `${team.lon.toFixed(5)}, ${team.lat.toFixed(5)}`,
      orDash(team.incidentId === null ? null : `#${team.incidentId}`),
      el('span', { class: 'actions' }, button(i18n.t('admin.action.delete'), () => remove(team), { action: 'delete', danger: true })),
    ],
  });

  wireAddForm(form, ctx, async (values) => {
    const { team } = await api('POST', '/api/teams', { id: values.id, name: values.name, trackerDeviceId: values.trackerDeviceId });
    form.reset();
    ctx.toast(i18n.t('admin.teams.added', { name: team.name, tracker: team.trackerDeviceId }));
    await view.reload();
  });

  /** @param {Team} team */
  async function remove(team) {
    if (!(await ctx.confirm(i18n.t('admin.teams.deleteConfirm', { name: team.name }), i18n.t('admin.action.delete')))) return;
    try {
      await api('DELETE', `/api/teams/${seg(team.id)}`);
      ctx.toast(i18n.t('admin.teams.deleted', { name: team.name }));
      await view.reload();
    } catch (err) {
      ctx.toast(ctx.errorText(err), 'error');
    }
  }

  return {
    load: () => view.load(),
    render: () => {
      fillTrackers();
      view.render();
    },
    teams: () => teams,
  };
}
