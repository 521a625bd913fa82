import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { ApiErrors } from './errors.js';

export const ROLES = ['admin', 'operator', 'installer', 'brigade', 'team'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  name: string;
  role: Role;
}

/** Resolves the caller of a request; later sources (session cookies, accounts) plug in here. */
export interface PrincipalResolver {
  resolve(request: FastifyRequest): Principal | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Static bearer tokens from configuration (the admin token), compared in constant time. */
export class BearerTokens implements PrincipalResolver {
  private readonly tokens: { digest: Buffer; principal: Principal }[];

  constructor(tokens: { token: string; principal: Principal }[]) {
    this.tokens = tokens.map((t) => ({ digest: digest(t.token), principal: t.principal }));
  }

  resolve(request: FastifyRequest): Principal | undefined {
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) return undefined;
    const presented = digest(header.slice(7).trim());
    let found: Principal | undefined;
    for (const entry of this.tokens) if (timingSafeEqual(entry.digest, presented)) found = entry.principal;
    return found;
  }
}

/**
 * The role check of a route. It runs before the body is validated
 * (preValidation), so a caller without the role learns only 401/403, never
 * what a valid body for that route would look like.
 */
export function requireRole(resolver: PrincipalResolver, roles: readonly Role[], action: string): preValidationAsyncHookHandler {
  return async function checkRole(request: FastifyRequest, _reply: FastifyReply) {
    const principal = resolver.resolve(request);
    if (!principal) throw new ApiErrors.Unauthorized();
    if (!roles.includes(principal.role)) throw new ApiErrors.Forbidden(principal.role, action);
    request.principal = principal;
  };
}
