import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { LoginRateLimit } from '../../src/accounts/login-rate-limit.js';
import { CompositeResolver, SessionResolver } from '../../src/accounts/session-resolver.js';
import { BearerTokens } from '../../src/api/auth.js';
import { createHttpServer } from '../../src/api/http-server.js';
import { accountRoutes } from '../../src/api/routes/accounts.js';
import { createLogger } from '../../src/log.js';
import { ADMIN_PASSWORD, OPERATOR_PASSWORD, accountsFixture, seedAdminAndOperator, type AccountsFixture } from './helpers.js';

const MINUTE = 60_000;
const ADMIN_TOKEN = { authorization: 'Bearer admin-token-for-tests-0000' };
const JSON_TYPE = { 'content-type': 'application/json' };

interface Harness {
  app: FastifyInstance;
  fixture: AccountsFixture;
  logs(): string;
  call(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Logs in and returns the Cookie header that carries the session. */
  logIn(username: string, password: string): Promise<{ cookie: string }>;
}

async function harness(
  t: { teardown(fn: () => unknown): void },
  options: { cookieSecure?: boolean; trustProxy?: boolean; teams?: string[] } = {},
): Promise<Harness> {
  const teams = new Set(options.teams ?? ['team-north']);
  const fixture = accountsFixture(t, { teamExists: (id) => teams.has(id) });
  await seedAdminAndOperator(fixture.accounts);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const app = await createHttpServer({ log: createLogger('info', sink), trustProxy: options.trustProxy ?? false, upgrades: {}, rateLimitPerMinute: 100_000 });
  const bearer = new BearerTokens([{ token: 'admin-token-for-tests-0000', principal: { name: 'admin-token', role: 'admin' } }]);
  const auth = new CompositeResolver([bearer, new SessionResolver(fixture.accounts)]);
  const loginRateLimit = new LoginRateLimit({ maxFailuresPerUsername: 5, maxFailuresPerClient: 8, windowMs: 15 * MINUTE, now: () => fixture.clock.now });
  await app.register(accountRoutes, { accounts: fixture.accounts, auth, loginRateLimit, cookieSecure: options.cookieSecure });
  await app.ready();
  t.teardown(() => app.close());
  const call = (request: InjectOptions) => app.inject(request);
  return {
    app,
    fixture,
    logs: () => lines.join(''),
    call,
    logIn: async (username, password) => {
      const response = await call({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
      if (response.statusCode !== 200) throw new Error(`log-in of ${username}: ${response.statusCode} ${response.body}`);
      const setCookie = String(response.headers['set-cookie']);
      return { cookie: setCookie.split(';')[0]! };
    },
  };
}

t.test('log-in sets an HttpOnly SameSite=Strict cookie; me works with it; log-out kills it', async (t) => {
  const { call, fixture } = await harness(t);
  const login = await call({ method: 'POST', url: '/api/auth/login', payload: { username: 'olga', password: OPERATOR_PASSWORD }, headers: { 'user-agent': 'wall-1' } });
  t.equal(login.statusCode, 200, login.body);
  t.same(login.json(), { username: 'olga', role: 'operator', displayName: 'Olga Operator', teamId: null });
  const setCookie = String(login.headers['set-cookie']);
  t.match(setCookie, /^vsg_session=[\w-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/, 'no Secure over plain HTTP');
  const cookie = setCookie.split(';')[0]!;

  const me = await call({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
  t.equal(me.statusCode, 200, me.body);
  t.same(me.json(), { username: 'olga', role: 'operator', displayName: 'Olga Operator', teamId: null, via: 'session', sessionExpiresAt: fixture.clock.now + 60 * MINUTE });

  const logout = await call({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
  t.equal(logout.statusCode, 204);
  t.match(String(logout.headers['set-cookie']), /^vsg_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict/);
  const after = await call({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
  t.equal(after.statusCode, 401, 'the old cookie, replayed, is dead on the server too');
  t.match(after.json(), { code: 'GW_UNAUTHORIZED' });
  t.equal((await call({ method: 'POST', url: '/api/auth/logout' })).statusCode, 204, 'log-out without a session is harmless');
});

t.test('no cookie → 401; a forged cookie → 401; a bearer token still works', async (t) => {
  const { call } = await harness(t);
  t.equal((await call({ method: 'GET', url: '/api/auth/me' })).statusCode, 401);
  t.equal((await call({ method: 'GET', url: '/api/accounts' })).statusCode, 401);
  t.equal((await call({ method: 'GET', url: '/api/auth/me', headers: { cookie: `vsg_session=${'A'.repeat(43)}` } })).statusCode, 401);
  const me = await call({ method: 'GET', url: '/api/auth/me', headers: ADMIN_TOKEN });
  t.same(me.json(), { username: 'admin-token', role: 'admin', displayName: 'admin-token', teamId: null, via: 'token', sessionExpiresAt: null });
});

t.test('the cookie is Secure over TLS (as told by a trusted proxy) or when COOKIE_SECURE is set', async (t) => {
  const proxied = await harness(t, { trustProxy: true });
  const viaTls = await proxied.call({ method: 'POST', url: '/api/auth/login', headers: { 'x-forwarded-proto': 'https' }, payload: { username: 'olga', password: OPERATOR_PASSWORD } });
  t.match(String(viaTls.headers['set-cookie']), /; Secure$/);
  const forced = await harness(t, { cookieSecure: true });
  const plain = await forced.call({ method: 'POST', url: '/api/auth/login', payload: { username: 'olga', password: OPERATOR_PASSWORD } });
  t.match(String(plain.headers['set-cookie']), /; Secure$/);
});

t.test('wrong password and unknown user get the same answer, and the unknown name is not logged', async (t) => {
  const { call, logs } = await harness(t);
  const wrong = await call({ method: 'POST', url: '/api/auth/login', payload: { username: 'olga', password: 'not her password' } });
  const unknown = await call({ method: 'POST', url: '/api/auth/login', payload: { username: 'Hunter2-typed-here', password: 'not her password' } });
  t.equal(wrong.statusCode, 401);
  t.equal(unknown.statusCode, wrong.statusCode);
  t.equal(unknown.body, wrong.body);
  t.same(wrong.json(), { statusCode: 401, code: 'GW_LOGIN_FAILED', error: 'Unauthorized', message: 'wrong username or password' });
  t.notOk(wrong.headers['set-cookie'] ?? unknown.headers['set-cookie'], 'no cookie either way');
  t.match(logs(), /"reason":"wrong-password"/);
  t.notMatch(logs(), /hunter2-typed-here/i);
  t.notMatch(logs(), /not her password/);
});

t.test('5 failures per username → 429 with Retry-After; the right password is refused while limited', async (t) => {
  const { call, fixture } = await harness(t);
  const attempt = (password: string, remoteAddress = '10.0.0.1') =>
    call({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { username: 'olga', password } });
  for (let i = 1; i <= 5; i++) {
    fixture.clock.now += MINUTE;
    t.equal((await attempt(`guess number ${i}`)).statusCode, 401, `failure ${i}`);
  }
  const limited = await attempt(OPERATOR_PASSWORD);
  t.equal(limited.statusCode, 429);
  t.equal(limited.headers['retry-after'], String(11 * 60), 'the first failure (at minute 1) leaves the window at minute 16');
  t.match(limited.json(), { code: 'GW_LOGIN_RATE_LIMITED', message: 'too many failed log-ins; try again in 660 s' });
  t.notOk(limited.headers['set-cookie']);
  t.equal((await attempt(OPERATOR_PASSWORD, '10.9.9.9')).statusCode, 429, 'per username: another address does not help');
  t.equal((await call({ method: 'POST', url: '/api/auth/login', payload: { username: 'alice', password: ADMIN_PASSWORD } })).statusCode, 200, 'other accounts are not locked out');
  fixture.clock.now += 11 * MINUTE;
  t.equal((await attempt(OPERATOR_PASSWORD)).statusCode, 200, 'after the oldest failure left the window');
});

t.test('failures per client address are limited across usernames', async (t) => {
  const { call } = await harness(t);
  const attempt = (username: string, remoteAddress: string) =>
    call({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { username, password: 'spray password' } });
  for (let i = 0; i < 8; i++) t.equal((await attempt(`user${i}`, '10.0.0.66')).statusCode, 401);
  const limited = await attempt('alice', '10.0.0.66');
  t.equal(limited.statusCode, 429);
  t.ok(Number(limited.headers['retry-after']) > 0);
  t.equal((await call({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.0.0.1', payload: { username: 'alice', password: ADMIN_PASSWORD } })).statusCode, 200, 'another address can still log in');
});

t.test('role refusals: an operator cannot manage accounts; an admin session can', async (t) => {
  const { call, logIn } = await harness(t);
  const operator = await logIn('olga', OPERATOR_PASSWORD);
  const denied = await call({
    method: 'POST',
    url: '/api/accounts',
    headers: { ...operator, ...JSON_TYPE },
    payload: { username: 'ivan', displayName: 'Ivan', role: 'installer', password: 'installer pass 1' },
  });
  t.equal(denied.statusCode, 403);
  t.match(denied.json(), { code: 'GW_FORBIDDEN', message: 'role operator may not manage accounts' });
  t.equal((await call({ method: 'GET', url: '/api/accounts', headers: operator })).statusCode, 403);

  const admin = await logIn('alice', ADMIN_PASSWORD);
  const created = await call({
    method: 'POST',
    url: '/api/accounts',
    headers: { ...admin, ...JSON_TYPE },
    payload: { username: 'ivan', displayName: 'Ivan', role: 'installer', password: 'installer pass 1' },
  });
  t.equal(created.statusCode, 201, created.body);
  t.same(Object.keys(created.json()).sort(), ['createdAt', 'disabled', 'displayName', 'lastLoginAt', 'role', 'teamId', 'username']);
  const list = await call({ method: 'GET', url: '/api/accounts', headers: admin });
  t.same(list.json().accounts.map((a: { username: string }) => a.username), ['alice', 'ivan', 'olga']);
  t.notMatch(list.body, /scrypt/);
});

t.test('CSRF: a state change with the session cookie needs content-type application/json; a bearer token does not', async (t) => {
  const { call, logIn, fixture } = await harness(t);
  const admin = await logIn('alice', ADMIN_PASSWORD);
  const formPost = await call({ method: 'POST', url: '/api/accounts/olga/disable', headers: { ...admin, 'content-type': 'text/plain' }, payload: 'x' });
  t.equal(formPost.statusCode, 415);
  t.match(formPost.json(), { code: 'GW_JSON_REQUIRED' });
  const bare = await call({ method: 'POST', url: '/api/accounts/olga/disable', headers: admin });
  t.equal(bare.statusCode, 415);
  t.equal(fixture.accounts.get('olga')?.disabled, false, 'nothing changed');
  const json = await call({ method: 'POST', url: '/api/accounts/olga/disable', headers: { ...admin, 'content-type': 'application/json; charset=utf-8' }, payload: '{}' });
  t.equal(json.statusCode, 200, json.body);
  t.equal(json.json().disabled, true);
  t.equal((await call({ method: 'POST', url: '/api/accounts/olga/enable', headers: ADMIN_TOKEN })).statusCode, 200, 'bearer: no content type needed');
  t.equal((await call({ method: 'GET', url: '/api/accounts/olga', headers: admin })).statusCode, 200, 'reads need no content type');
  const formLogin = await call({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'username=olga&password=x' });
  t.equal(formLogin.statusCode, 415, 'no login CSRF with a form either');
  const textLogin = await call({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'text/plain' }, payload: '{"username":"olga","password":"x"}' });
  t.equal(textLogin.statusCode, 415);
  t.match(textLogin.json(), { code: 'GW_JSON_REQUIRED' }, 'nor with text/plain, the one simple type Fastify would parse');
});

t.test('disabling an account through the API ends its live session at once', async (t) => {
  const { call, logIn } = await harness(t);
  const operator = await logIn('olga', OPERATOR_PASSWORD);
  t.equal((await call({ method: 'GET', url: '/api/auth/me', headers: operator })).statusCode, 200);
  t.equal((await call({ method: 'POST', url: '/api/accounts/olga/disable', headers: ADMIN_TOKEN })).statusCode, 200);
  t.equal((await call({ method: 'GET', url: '/api/auth/me', headers: operator })).statusCode, 401);
  const again = await call({ method: 'POST', url: '/api/auth/login', payload: { username: 'olga', password: OPERATOR_PASSWORD } });
  t.equal(again.statusCode, 401, 'a disabled account gets the same refusal as a wrong password');
  t.match(again.json(), { code: 'GW_LOGIN_FAILED' });
});

t.test('admin CRUD: patch role and team, reset password, revoke sessions, delete, audit', async (t) => {
  const { call, logIn } = await harness(t);
  const admin = { ...(await logIn('alice', ADMIN_PASSWORD)), ...JSON_TYPE };
  const operator = await logIn('olga', OPERATOR_PASSWORD);

  const noTeam = await call({ method: 'PATCH', url: '/api/accounts/olga', headers: admin, payload: { role: 'team' } });
  t.equal(noTeam.statusCode, 400);
  t.match(noTeam.json(), { code: 'GW_ACCOUNT_INVALID', message: 'a team account belongs to a team: give teamId' });
  const unknownTeam = await call({ method: 'PATCH', url: '/api/accounts/olga', headers: admin, payload: { role: 'team', teamId: 'team-west' } });
  t.match(unknownTeam.json(), { statusCode: 400, message: 'team team-west is not registered; POST /api/teams first' });
  const patched = await call({ method: 'PATCH', url: '/api/accounts/olga', headers: admin, payload: { role: 'team', teamId: 'team-north', displayName: 'Olga (north patrol)' } });
  t.equal(patched.statusCode, 200, patched.body);
  t.match(patched.json(), { role: 'team', teamId: 'team-north', displayName: 'Olga (north patrol)' });
  t.match((await call({ method: 'GET', url: '/api/auth/me', headers: operator })).json(), { role: 'team', teamId: 'team-north' }, 'the live session sees the new role at once');
  t.equal((await call({ method: 'PATCH', url: '/api/accounts/olga', headers: admin, payload: {} })).statusCode, 400, 'an empty patch is refused');
  t.equal((await call({ method: 'PATCH', url: '/api/accounts/olga', headers: admin, payload: { password: 'sneaky password' } })).statusCode, 400, 'no password by patch');

  const reset = await call({ method: 'POST', url: '/api/accounts/olga/password', headers: admin, payload: { password: 'new password for olga' } });
  t.equal(reset.statusCode, 200, reset.body);
  t.equal((await call({ method: 'GET', url: '/api/auth/me', headers: operator })).statusCode, 401, 'a reset ends her sessions');
  const shortPassword = await call({ method: 'POST', url: '/api/accounts/olga/password', headers: admin, payload: { password: 'short' } });
  t.equal(shortPassword.statusCode, 400);

  const olga = await logIn('olga', 'new password for olga');
  t.match((await call({ method: 'POST', url: '/api/auth/login', payload: { username: 'olga', password: 'new password for olga' } })).json(), { teamId: 'team-north' });
  const revoked = await call({ method: 'DELETE', url: '/api/accounts/olga/sessions', headers: admin, payload: {} });
  t.same(revoked.json(), { revoked: 2 });
  t.equal((await call({ method: 'GET', url: '/api/auth/me', headers: olga })).statusCode, 401);

  const lastAdmin = await call({ method: 'DELETE', url: '/api/accounts/alice', headers: admin, payload: {} });
  t.equal(lastAdmin.statusCode, 409);
  t.match(lastAdmin.json(), { code: 'GW_LAST_ADMIN' });
  const duplicate = await call({ method: 'POST', url: '/api/accounts', headers: admin, payload: { username: 'olga', displayName: 'x', role: 'brigade', password: 'brigade pass 12' } });
  t.equal(duplicate.statusCode, 409);
  t.match(duplicate.json(), { code: 'GW_ACCOUNT_EXISTS' });

  const deleted = await call({ method: 'DELETE', url: '/api/accounts/olga', headers: admin, payload: {} });
  t.equal(deleted.statusCode, 204);
  const gone = await call({ method: 'GET', url: '/api/accounts/olga', headers: admin });
  t.equal(gone.statusCode, 404);
  t.match(gone.json(), { code: 'GW_ACCOUNT_NOT_FOUND' });
  t.equal((await call({ method: 'DELETE', url: '/api/accounts/olga', headers: admin, payload: {} })).statusCode, 404);

  const audit = await call({ method: 'GET', url: '/api/accounts/olga/audit?limit=3', headers: admin });
  t.equal(audit.statusCode, 200);
  t.same(audit.json().entries.map((e: { action: string; actor: string }) => [e.action, e.actor]), [
    ['delete', 'alice'],
    ['revoke-sessions', 'alice'],
    ['login', 'olga'],
  ]);
  t.notMatch(audit.body, /new password for olga/);
});

t.test('an account changes its own password: the current one is checked, other sessions end', async (t) => {
  const { call, logIn } = await harness(t);
  const here = await logIn('olga', OPERATOR_PASSWORD);
  const elsewhere = await logIn('olga', OPERATOR_PASSWORD);
  const change = (currentPassword: string) =>
    call({ method: 'POST', url: '/api/auth/password', headers: { ...here, ...JSON_TYPE }, payload: { currentPassword, newPassword: 'olga changed it' } });
  const wrong = await change('not the current one');
  t.equal(wrong.statusCode, 403);
  t.match(wrong.json(), { code: 'GW_CURRENT_PASSWORD_WRONG' });
  t.equal((await change(OPERATOR_PASSWORD)).statusCode, 204);
  t.equal((await call({ method: 'GET', url: '/api/auth/me', headers: here })).statusCode, 200, 'this session stays');
  t.equal((await call({ method: 'GET', url: '/api/auth/me', headers: elsewhere })).statusCode, 401, 'the other one ends');
  await logIn('olga', 'olga changed it');
  const token = await call({ method: 'POST', url: '/api/auth/password', headers: ADMIN_TOKEN, payload: { currentPassword: 'x', newPassword: 'whatever long' } });
  t.equal(token.statusCode, 400);
  t.match(token.json(), { code: 'GW_NOT_AN_ACCOUNT' });
});

t.test('the routes and their schemas are in the OpenAPI document', async (t) => {
  const { call } = await harness(t);
  const docs = (await call({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  for (const path of ['/api/auth/login', '/api/auth/logout', '/api/auth/me', '/api/auth/password', '/api/accounts', '/api/accounts/{username}', '/api/accounts/{username}/password', '/api/accounts/{username}/disable', '/api/accounts/{username}/sessions', '/api/accounts/{username}/audit']) {
    t.ok(docs.paths[path], path);
  }
  t.same(docs.paths['/api/auth/login']?.post?.security, [], 'log-in needs no credentials');
});
