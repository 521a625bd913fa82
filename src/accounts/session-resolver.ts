import type { FastifyRequest } from 'fastify';
import type { Principal, PrincipalResolver } from '../api/auth.js';
import type { Accounts } from './accounts.js';
import { SESSION_COOKIE, readCookie } from './cookie.js';
import { AccountApiErrors } from './errors.js';

/** A person logged in with a session cookie: the Principal plus what the pages need. */
export interface SessionPrincipal extends Principal {
  via: 'session';
  displayName: string;
  /** Set for a `team` account: the patrol team it acts for. */
  teamId?: string;
  sessionExpiresAt: number;
}

export function isSessionPrincipal(principal: Principal | undefined): principal is SessionPrincipal {
  return principal !== undefined && 'via' in principal && principal.via === 'session';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `application/json`, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(header: string | undefined): boolean {
  return header?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/**
 * CSRF guard, second line behind SameSite=Strict: a browser can send a
 * cross-site request without a preflight only with a "simple" content type
 * (form, multipart, text/plain). `application/json` needs a CORS preflight,
 * which this gateway never grants, so a state-changing request that carries
 * it was made by our own pages (or by a non-browser client, which has no
 * ambient cookie to abuse). Bearer tokens are not ambient credentials and are
 * not checked here.
 */
export function assertJsonForStateChange(request: FastifyRequest): void {
  if (!SAFE_METHODS.has(request.method) && !isJsonContentType(request.headers['content-type'])) {
    throw new AccountApiErrors.JsonRequired();
  }
}

export function sessionTokenOf(request: FastifyRequest): string | undefined {
  return readCookie(request.headers.cookie, SESSION_COOKIE);
}

/**
 * Resolves the `vsg_session` cookie to its account. Throws GW_JSON_REQUIRED
 * (415) for a live session on a state-changing request without a JSON
 * content type, so the page learns why instead of getting a bare 401.
 */
export class SessionResolver implements PrincipalResolver {
  constructor(private readonly accounts: Pick<Accounts, 'resolveSession'>) {}

  resolve(request: FastifyRequest): SessionPrincipal | undefined {
    const token = sessionTokenOf(request);
    if (token === undefined) return undefined;
    const resolved = this.accounts.resolveSession(token);
    if (!resolved) return undefined;
    assertJsonForStateChange(request);
    const { account, session } = resolved;
    return {
      name: account.username,
      role: account.role,
      via: 'session',
      displayName: account.displayName,
      ...(account.teamId !== null ? { teamId: account.teamId } : {}),
      sessionExpiresAt: session.expiresAt,
    };
  }
}

/** Tries each resolver in order (bearer tokens, then the session cookie); the first principal wins. */
export class CompositeResolver implements PrincipalResolver {
  constructor(private readonly resolvers: readonly PrincipalResolver[]) {}

  resolve(request: FastifyRequest): Principal | undefined {
    for (const resolver of this.resolvers) {
      const principal = resolver.resolve(request);
      if (principal) return principal;
    }
    return undefined;
  }
}
