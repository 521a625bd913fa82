// @ts-check
import { toLogin } from './session.js';

export { toLogin };

/**
 * The installer page's calls to the gateway (docs/pairing.md): JSON both
 * ways, the session cookie, and `content-type: application/json` on every
 * state change (the session's CSRF rule; `{}` when there is no body). A `401`
 * means the session ended: back to the log-in page, which returns here with
 * the same query (a `?code=` from a sticker survives the log-in).
 */

/** A refusal from the gateway: its status and its coded JSON body (`code`, `message` and details). */
export class ApiError extends Error {
  /** @param {number} status @param {Record<string, any>} body */
  constructor(status, body) {
    super(typeof body.message === 'string' ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body;
    /** @type {string} */
    this.code = typeof body.code === 'string' ? body.code : '';
  }
}

/** The gateway could not be reached at all (no network, gateway down). */
export class NetworkError extends Error {}

/**
 * @param {'GET'|'POST'} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function api(method, path, body) {
  /** @type {Response} */
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: method === 'GET' ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
    });
  } catch {
    throw new NetworkError(`${method} ${path}: no answer`);
  }
  /** @type {any} */
  let json = {};
  try {
    json = await response.json();
  } catch {
    // An empty or non-JSON body: the status says enough.
  }
  if (response.status === 401) {
    toLogin();
    throw new ApiError(401, json ?? {});
  }
  if (!response.ok) throw new ApiError(response.status, json && typeof json === 'object' ? json : {});
  return json;
}
