import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account, Accounts, Caller } from '../../accounts/accounts.js';
import { clearedSessionCookie, sessionCookie } from '../../accounts/cookie.js';
import { AccountApiErrors, AccountExistsError, AccountInputError, AccountNotFoundError, LastAdminError } from '../../accounts/errors.js';
import {
  accountSchema,
  auditResponse,
  changePasswordBody,
  createAccountBody,
  loginBody,
  loginResponse,
  meSchema,
  patchAccountBody,
  resetPasswordBody,
  usernameParams,
} from '../../accounts/http-schemas.js';
import type { LoginRateLimit } from '../../accounts/login-rate-limit.js';
import { isJsonContentType, isSessionPrincipal, sessionTokenOf } from '../../accounts/session-resolver.js';
import { ROLES, requireRole, type PrincipalResolver, type Role } from '../auth.js';

export interface AccountRoutesOptions {
  accounts: Accounts;
  /** Bearer tokens, then the session cookie: `new CompositeResolver([bearerTokens, new SessionResolver(accounts)])`. */
  auth: PrincipalResolver;
  loginRateLimit: LoginRateLimit;
  /** Mark the cookie Secure even on plain HTTP (TLS ends at a proxy the gateway does not trust). */
  cookieSecure?: boolean | undefined;
}

interface UsernameParams {
  username: string;
}

/** Domain errors of the store as coded API errors; anything else stays a 500. */
function apiError(err: unknown): unknown {
  if (err instanceof AccountNotFoundError) return new AccountApiErrors.AccountNotFound(err.username);
  if (err instanceof AccountExistsError) return new AccountApiErrors.AccountExists(err.username);
  if (err instanceof LastAdminError) return new AccountApiErrors.LastAdmin(err.username);
  if (err instanceof AccountInputError) return new AccountApiErrors.AccountInvalid(err.message);
  return err;
}

async function mapped<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw apiError(err);
  }
}

const loginView = (account: Account) => ({ username: account.username, role: account.role, displayName: account.displayName, teamId: account.teamId });

export async function accountRoutes(app: FastifyInstance, options: AccountRoutesOptions): Promise<void> {
  const { accounts, auth, loginRateLimit } = options;
  if (typeof accounts?.resolveSession !== 'function') throw new TypeError('accountRoutes: option accounts must be an Accounts store');
  if (typeof auth?.resolve !== 'function') throw new TypeError('accountRoutes: option auth must be a PrincipalResolver');
  if (typeof loginRateLimit?.begin !== 'function') throw new TypeError('accountRoutes: option loginRateLimit must be a LoginRateLimit');

  const admin = requireRole(auth, ['admin'], 'manage accounts');
  const anyone = (action: string) => requireRole(auth, ROLES, action);
  const cookieFlags = (request: FastifyRequest) => ({ secure: options.cookieSecure === true || request.protocol === 'https' });
  const callerOf = (request: FastifyRequest): Caller => ({
    actor: request.principal?.name ?? 'anonymous',
    ip: request.ip,
    userAgent: request.headers['user-agent'],
  });
  const found = (username: string): Account => {
    const account = accounts.get(username);
    if (!account) throw new AccountApiErrors.AccountNotFound(username);
    return account;
  };

  /** 429 with Retry-After when this client or this username has failed too often; otherwise the attempt is counted. */
  const throttle = (request: FastifyRequest, reply: FastifyReply, username: string) => {
    const waitMs = loginRateLimit.waitMs(request.ip, username);
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      reply.header('retry-after', String(seconds));
      throw new AccountApiErrors.LoginRateLimited(seconds);
    }
    return loginRateLimit.begin(request.ip, username);
  };

  app.post<{ Body: { username: string; password: string } }>(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in; sets the HttpOnly session cookie vsg_session',
        description:
          'Wrong username and wrong password give the same 401 in about the same time. Failed attempts are limited per client address and per username (429 with Retry-After); while limited even the right password is refused.',
        security: [],
        body: loginBody,
        response: { 200: loginResponse },
      },
      // Before validation, so a text/plain post gets this answer: a log-in form posted from another site (login CSRF) cannot send JSON.
      preValidation: async (request) => {
        if (!isJsonContentType(request.headers['content-type'])) throw new AccountApiErrors.JsonRequired();
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const attempt = throttle(request, reply, username.trim().toLowerCase());
      const outcome = await accounts.logIn(username, password, { ip: request.ip, userAgent: request.headers['user-agent'] });
      if (!outcome.ok) {
        // The name typed is logged only when it is an account: an unknown one is often a password typed in the wrong field.
        request.log.warn({ reason: outcome.reason, ip: request.ip, ...(outcome.reason !== 'unknown' ? { username } : {}) }, 'log-in refused');
        throw new AccountApiErrors.LoginFailed();
      }
      attempt.succeeded();
      const previous = sessionTokenOf(request);
      if (previous !== undefined) accounts.logOut(previous, { ip: request.ip });
      request.log.info({ username: outcome.account.username, role: outcome.account.role, ip: request.ip }, 'logged in');
      reply.header('set-cookie', sessionCookie(outcome.session.token, accounts.sessionTimes.maxAgeMs / 1000, cookieFlags(request)));
      return loginView(outcome.account);
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log out: ends the session of the cookie and clears it',
        description: 'Needs no authentication and no content type: it can only take rights away.',
        security: [],
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      const token = sessionTokenOf(request);
      if (token !== undefined) accounts.logOut(token, { ip: request.ip, userAgent: request.headers['user-agent'] });
      return reply.code(204).header('set-cookie', clearedSessionCookie(cookieFlags(request))).send();
    },
  );

  app.get(
    '/api/auth/me',
    { preValidation: anyone('read its own account'), schema: { tags: ['auth'], summary: 'Who is calling: the session account or the bearer token', response: { 200: meSchema } } },
    async (request) => {
      const principal = request.principal!;
      if (isSessionPrincipal(principal)) {
        return { username: principal.name, role: principal.role, displayName: principal.displayName, teamId: principal.teamId ?? null, via: 'session', sessionExpiresAt: principal.sessionExpiresAt };
      }
      return { username: principal.name, role: principal.role, displayName: principal.name, teamId: null, via: 'token', sessionExpiresAt: null };
    },
  );

  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/api/auth/password',
    {
      preValidation: anyone('change its password'),
      schema: {
        tags: ['auth'],
        summary: 'Change the password of the logged-in account; its other sessions end',
        body: changePasswordBody,
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      if (!isSessionPrincipal(principal)) throw new AccountApiErrors.NotAnAccount(principal.name);
      const attempt = throttle(request, reply, principal.name);
      if (!(await accounts.verifyPassword(principal.name, request.body.currentPassword))) throw new AccountApiErrors.CurrentPasswordWrong();
      attempt.succeeded();
      await mapped(() => accounts.setPassword(principal.name, request.body.newPassword, callerOf(request), sessionTokenOf(request)));
      request.log.info({ username: principal.name }, 'password changed');
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/accounts',
    { preValidation: admin, schema: { tags: ['accounts'], response: { 200: { type: 'object', properties: { accounts: { type: 'array', items: accountSchema } } } } } },
    async () => ({ accounts: accounts.list() }),
  );

  app.post<{ Body: { username: string; displayName: string; role: Role; teamId?: string | null; password: string } }>(
    '/api/accounts',
    {
      preValidation: admin,
      schema: { tags: ['accounts'], summary: 'Create an account with an initial password', body: createAccountBody, response: { 201: accountSchema } },
    },
    async (request, reply) => {
      const account = await mapped(() => accounts.create(request.body, callerOf(request)));
      request.log.info({ username: account.username, role: account.role, by: request.principal?.name }, 'account created');
      return reply.code(201).send(account);
    },
  );

  app.get<{ Params: UsernameParams }>(
    '/api/accounts/:username',
    { preValidation: admin, schema: { tags: ['accounts'], params: usernameParams, response: { 200: accountSchema } } },
    async (request) => found(request.params.username),
  );

  app.patch<{ Params: UsernameParams; Body: { displayName?: string; role?: Role; teamId?: string | null } }>(
    '/api/accounts/:username',
    {
      preValidation: admin,
      schema: {
        tags: ['accounts'],
        summary: 'Change display name, role or team; a new role applies from the next request',
        params: usernameParams,
        body: patchAccountBody,
        response: { 200: accountSchema },
      },
    },
    async (request) => {
      const account = await mapped(() => accounts.update(request.params.username, request.body, callerOf(request)));
      request.log.info({ username: account.username, role: account.role, by: request.principal?.name }, 'account changed');
      return account;
    },
  );

  app.post<{ Params: UsernameParams; Body: { password: string } }>(
    '/api/accounts/:username/password',
    {
      preValidation: admin,
      schema: { tags: ['accounts'], summary: 'Reset the password; every session of the account ends', params: usernameParams, body: resetPasswordBody, response: { 200: accountSchema } },
    },
    async (request) => {
      const account = await mapped(() => accounts.setPassword(request.params.username, request.body.password, callerOf(request)));
      request.log.info({ username: account.username, by: request.principal?.name }, 'password reset');
      return account;
    },
  );

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post<{ Params: UsernameParams }>(
      `/api/accounts/:username/${action}`,
      {
        preValidation: admin,
        schema: {
          tags: ['accounts'],
          summary: disabled ? 'Disable: log-in refused, every session ends at once' : 'Enable a disabled account',
          params: usernameParams,
          response: { 200: accountSchema },
        },
      },
      async (request) => {
        const account = await mapped(() => accounts.setDisabled(request.params.username, disabled, callerOf(request)));
        request.log.info({ username: account.username, by: request.principal?.name }, `account ${action}d`);
        return account;
      },
    );
  }

  app.delete<{ Params: UsernameParams }>(
    '/api/accounts/:username/sessions',
    {
      preValidation: admin,
      schema: { tags: ['accounts'], summary: 'Log the account out everywhere', params: usernameParams, response: { 200: { type: 'object', properties: { revoked: { type: 'integer' } } } } },
    },
    async (request) => ({ revoked: await mapped(() => accounts.revokeSessions(request.params.username, callerOf(request))) }),
  );

  app.delete<{ Params: UsernameParams }>(
    '/api/accounts/:username',
    { preValidation: admin, schema: { tags: ['accounts'], summary: 'Delete an account and its sessions (its audit stays)', params: usernameParams, response: { 204: { type: 'null' } } } },
    async (request, reply) => {
      if (!(await mapped(() => accounts.delete(request.params.username, callerOf(request))))) throw new AccountApiErrors.AccountNotFound(request.params.username);
      request.log.info({ username: request.params.username, by: request.principal?.name }, 'account deleted');
      return reply.code(204).send();
    },
  );

  app.get<{ Params: UsernameParams; Querystring: { limit: number } }>(
    '/api/accounts/:username/audit',
    {
      preValidation: admin,
      schema: {
        tags: ['accounts'],
        summary: 'What was done to and by the account, newest first (kept after the account is deleted)',
        params: usernameParams,
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
        response: { 200: auditResponse },
      },
    },
    async (request) => ({ entries: accounts.history({ username: request.params.username, limit: request.query.limit }) }),
  );
}
