// @ts-check
import { incidentTitle } from './incident-list.js';
import { toLogin } from './session.js';

/** @typedef {import('./wall-state.js').WallState} WallState */
/** @typedef {import('./i18n.js').I18n} I18n */

/**
 * The operator's actions on an incident, through the incident API with the
 * page's session cookie. Every request is JSON (the session's CSRF rule:
 * a state change must say `content-type: application/json`). The answer's
 * incident is shown at once; the feed confirms it within a batch.
 */
export class IncidentActions {
  /**
   * @param {{ dialog: HTMLDialogElement, state: WallState, i18n: I18n, notify: (text: string, kind?: 'error'|'info') => void, onChange: () => void }} options
   */
  constructor(options) {
    this.options = options;
    const { dialog } = options;
    this.form = /** @type {HTMLFormElement} */ (dialog.querySelector('form'));
    this.heading = /** @type {HTMLElement} */ (dialog.querySelector('[data-part="heading"]'));
    this.subject = /** @type {HTMLElement} */ (dialog.querySelector('[data-part="subject"]'));
    this.teamField = /** @type {HTMLElement} */ (dialog.querySelector('[data-part="team-field"]'));
    this.team = /** @type {HTMLSelectElement} */ (dialog.querySelector('select[name="team"]'));
    this.textField = /** @type {HTMLElement} */ (dialog.querySelector('[data-part="text-field"]'));
    this.textLabel = /** @type {HTMLElement} */ (dialog.querySelector('[data-part="text-label"]'));
    this.text = /** @type {HTMLTextAreaElement} */ (dialog.querySelector('textarea[name="text"]'));
    this.error = /** @type {HTMLElement} */ (dialog.querySelector('[data-part="error"]'));
    this.confirm = /** @type {HTMLButtonElement} */ (dialog.querySelector('button[type="submit"]'));
    /** @type {{ action: string, id: number }|undefined} */
    this.pending = undefined;
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    /** @type {HTMLButtonElement} */ (dialog.querySelector('[data-part="back"]')).addEventListener('click', () => dialog.close());
  }

  /** @param {string} action @param {number} id */
  async run(action, id) {
    if (action === 'ack') {
      await this.post(id, 'ack', {});
      return;
    }
    const incident = this.options.state.incidents.get(id);
    if (!incident) return;
    const { i18n, dialog } = this.options;
    this.pending = { action, id };
    this.heading.textContent = i18n.t(`dialog.${action}.heading`, { id });
    this.subject.textContent = incidentTitle(i18n, incident);
    this.confirm.textContent = i18n.t(`dialog.${action}.confirm`);
    this.error.hidden = true;
    this.teamField.hidden = action !== 'dispatch';
    this.textField.hidden = action === 'dispatch';
    this.text.value = '';
    if (action === 'dispatch') {
      const fastest = new Option(i18n.t('dialog.dispatch.fastest'), '');
      const options = [fastest];
      const sent = new Set(incident.orders.map((o) => o.teamId));
      for (const team of [...this.options.state.teams.values()].sort((a, b) => a.name.localeCompare(b.name))) {
        if (sent.has(team.id)) continue;
        const label = i18n.t('dialog.dispatch.teamOption', { team: team.name, status: i18n.t(`teamStatus.${team.status}`) });
        const option = new Option(label, team.id);
        option.disabled = team.status !== 'available';
        options.push(option);
      }
      this.team.replaceChildren(...options);
    } else {
      this.textLabel.textContent = i18n.t(`dialog.${action}.label`);
    }
    dialog.showModal();
    (action === 'dispatch' ? this.team : this.text).focus();
  }

  async submit() {
    const pending = this.pending;
    if (!pending) return;
    const body =
      pending.action === 'dispatch'
        ? this.team.value
          ? { teamId: this.team.value }
          : {}
        : { [pending.action === 'resolve' ? 'note' : 'reason']: this.text.value.trim() };
    if (pending.action !== 'dispatch' && !Object.values(body)[0]) {
      this.showError(this.options.i18n.t('dialog.textRequired'));
      return;
    }
    this.confirm.disabled = true;
    try {
      const error = await this.post(pending.id, pending.action, body);
      if (error) this.showError(error);
      else this.options.dialog.close();
    } finally {
      this.confirm.disabled = false;
    }
  }

  /** @param {string} text */
  showError(text) {
    this.error.textContent = text;
    this.error.hidden = false;
  }

  /**
   * @param {number} id @param {string} action @param {Record<string, string>} body
   * @returns {Promise<string|undefined>} the error to show, if it failed
   */
  async post(id, action, body) {
    const { i18n, notify, state } = this.options;
    let response;
    try {
      response = await fetch(`/api/incidents/${id}/${action}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch {
      const text = i18n.t('action.offline');
      notify(text, 'error');
      return text;
    }
    /** @type {any} */
    let answer;
    try {
      answer = await response.json();
    } catch {
      answer = {};
    }
    if (!response.ok) {
      if (response.status === 401) toLogin();
      // The gateway's message names the reason (e.g. "incident 7 is resolved; it cannot become cancelled").
      const text = i18n.t('action.failed', { action: i18n.t(`action.${action}`), status: response.status, message: answer?.message ?? '' });
      notify(text, 'error');
      return text;
    }
    if (answer?.incident) state.applyIncident(answer.incident);
    if (action === 'dispatch' && answer?.outcome?.status === 'no-team') notify(i18n.t('action.noTeam', { reason: answer.outcome.reason ?? '' }), 'error');
    else notify(i18n.t(`action.done.${action}`, { id }), 'info');
    this.options.onChange();
    return undefined;
  }
}
