// @ts-check
/**
 * The team page's calls to the gateway, with the page's session cookie. Every state change is
 * JSON (the session's CSRF rule, docs/accounts.md), `{}` when there is nothing to say; a team
 * account acts for its own team, so no team id is sent.
 */
import { clockOffset } from './team-order.js';

/** @typedef {import('./team-order.js').TeamOrderView} TeamOrderView */
/** @typedef {import('./team-order.js').TeamAction} TeamAction */

/** A refusal from the gateway (its error shape: statusCode, code, message), or no answer at all (`status` 0). */
export class TeamApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** The network, not the gateway: nothing was decided. */
  get offline() {
    return this.status === 0;
  }
}

/** @param {Response} response */
async function refusal(response) {
  let code = '';
  let message = response.statusText;
  try {
    const body = await response.json();
    code = typeof body.code === 'string' ? body.code : '';
    message = typeof body.message === 'string' ? body.message : message;
  } catch {
    // Not the gateway's JSON (a proxy's page): the status says enough.
  }
  return new TeamApiError(response.status, code, message);
}

/** @param {string} url @param {RequestInit} init */
async function call(url, init) {
  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin', cache: 'no-store', ...init });
  } catch (err) {
    throw new TeamApiError(0, 'NETWORK', err instanceof Error ? err.message : String(err));
  }
  if (!response.ok) throw await refusal(response);
  return response;
}

/** The team's current order and the gateway clock offset. @returns {Promise<{ view: TeamOrderView, offset: number }>} */
export async function fetchTeamOrder() {
  const sentAt = Date.now();
  const response = await call('/api/teams/mine/order', {});
  const view = /** @type {TeamOrderView} */ (await response.json());
  return { view, offset: clockOffset(view.serverTime, sentAt, Date.now()) };
}

/** The site map and its time zone (`/api/site`). @returns {Promise<any>} */
export async function fetchSite() {
  return (await call('/api/site', {})).json();
}

/** An incident with its audit trail and dispatch history (why an order ended). @param {number} id @returns {Promise<any>} */
export async function fetchIncident(id) {
  return (await call(`/api/incidents/${id}`, {})).json();
}

/**
 * @param {TeamAction} action
 * @param {number} incidentId
 * @param {Record<string, string>} [body]
 * @returns {Promise<any>} the gateway's answer (`{ incident }`)
 */
export async function act(action, incidentId, body = {}) {
  const response = await call(`/api/incidents/${incidentId}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}

export async function logOut() {
  await call('/api/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).catch(() => undefined);
}
