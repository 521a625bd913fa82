// @ts-check
/**
 * The admin page's one way to the gateway's API: same-origin with the
 * `vsg_session` cookie, every state change as JSON (the session's CSRF rule,
 * docs/accounts.md: `{}` when there is nothing to say). A `401` means the
 * session ended: back to the log-in page, which brings the admin back here.
 */

/** A refusal from the gateway, in its error shape (`statusCode`, `code`, `message`). */
export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The network did not answer (the gateway down, the cable out). */
export class NetworkError extends Error {}

export const LOGIN_PATH = '/login';

export function toLogin() {
  location.assign(`${LOGIN_PATH}?next=${encodeURIComponent(location.pathname)}`);
}

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body] sent as JSON; state changes send `{}` when absent
 * @returns {Promise<any>} the JSON answer, or undefined for 204
 */
export async function api(method, path, body) {
  const changes = method !== 'GET' && method !== 'HEAD';
  /** @type {RequestInit} */
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (changes) {
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    init.body = JSON.stringify(body ?? {});
  }
  /** @type {Response} */
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new NetworkError(path);
  }
  if (response.status === 204) return undefined;
  /** @type {any} */
  let answer;
  try {
    answer = await response.json();
  } catch {
    answer = undefined;
  }
  if (!response.ok) {
    if (response.status === 401) toLogin();
    throw new ApiError(response.status, String(answer?.code ?? ''), String(answer?.message ?? response.statusText));
  }
  return answer;
}

/**
 * A query string of the values that are set (empty strings and undefined left out).
 * @param {Record<string, string|number|boolean|undefined|null>} params
 */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A path segment (rooms may hold a slash or a space). @param {string} segment */
export const seg = (segment) => encodeURIComponent(segment);
