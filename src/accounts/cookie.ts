/**
 * The one cookie of the gateway, read and written by hand: a session token is
 * base64url (no character needs quoting or decoding), so the whole of
 * RFC 6265 is not needed and no cookie plugin is added.
 */
export const SESSION_COOKIE = 'vsg_session';

/** The first value of cookie `name` in a Cookie header (RFC 6265 §5.4: `name=value; name2=value2`). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    const value = pair.slice(eq + 1).trim();
    return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
  }
  return undefined;
}

export interface CookieFlags {
  /** Only over HTTPS: set when the request came over TLS or COOKIE_SECURE says so. */
  secure: boolean;
}

/**
 * HttpOnly: page scripts (and an injected one) cannot read it. SameSite=Strict:
 * the browser never sends it on a request started by another site, the first
 * guard against cross-site request forgery. Path=/: the pages and the API share it.
 */
export function sessionCookie(token: string, maxAgeSeconds: number, flags: CookieFlags): string {
  return [`${SESSION_COOKIE}=${token}`, 'Path=/', `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`, 'HttpOnly', 'SameSite=Strict', ...(flags.secure ? ['Secure'] : [])].join('; ');
}

export function clearedSessionCookie(flags: CookieFlags): string {
  return sessionCookie('', 0, flags);
}
