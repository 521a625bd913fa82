import { createHash } from 'node:crypto';
import t from 'tap';
import { ensureFirstAdmin } from '../../src/accounts/first-admin.js';
import { AccountExistsError, AccountInputError, LastAdminError } from '../../src/accounts/errors.js';
import { ADMIN_PASSWORD, OPERATOR_PASSWORD, START, SYSTEM, accountsFixture, seedAdminAndOperator } from './helpers.js';

const MINUTE = 60_000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

t.test('a password is stored only as a salted scrypt hash, never in clear, not even in the audit', async (t) => {
  const { accounts, db, fileBytes } = accountsFixture(t);
  const account = await accounts.create({ username: 'alice', displayName: ' Alice ', role: 'admin', password: ADMIN_PASSWORD }, SYSTEM);
  t.match(account, { username: 'alice', displayName: 'Alice', role: 'admin', teamId: null, disabled: false, createdAt: START, lastLoginAt: null });
  t.notOk('passwordHash' in account || 'password_hash' in account, 'the account view carries no hash');
  const { password_hash: hash } = db.prepare('SELECT password_hash FROM accounts').get() as { password_hash: string };
  t.match(hash, /^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
  await accounts.create({ username: 'bob', displayName: 'Bob', role: 'admin', password: ADMIN_PASSWORD }, SYSTEM);
  const hashes = (db.prepare('SELECT password_hash FROM accounts').all() as { password_hash: string }[]).map((r) => r.password_hash);
  t.not(hashes[0], hashes[1], 'the same password hashes differently (salt)');
  t.notOk(fileBytes().includes(ADMIN_PASSWORD), 'no byte of the database files holds the password');
});

t.test('log-in issues a 32-byte session token that is stored only as its SHA-256', async (t) => {
  const { accounts, db, fileBytes } = accountsFixture(t);
  await seedAdminAndOperator(accounts);
  const outcome = await accounts.logIn('Olga ', OPERATOR_PASSWORD, { ip: '10.0.0.7', userAgent: 'wall browser' });
  if (!outcome.ok) throw new Error('log-in failed');
  t.equal(Buffer.from(outcome.session.token, 'base64url').length, 32);
  t.equal(outcome.account.lastLoginAt, START);
  const rows = db.prepare('SELECT * FROM sessions').all() as { id_sha256: string; user_agent: string }[];
  t.equal(rows.length, 1);
  t.equal(rows[0]!.id_sha256, sha256(outcome.session.token));
  t.equal(rows[0]!.user_agent, 'wall browser');
  t.notOk(fileBytes().includes(outcome.session.token), 'the token itself is in no database file');
  t.match(accounts.resolveSession(outcome.session.token), { account: { username: 'olga', role: 'operator' } });
  t.equal(accounts.resolveSession(outcome.session.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))), undefined, 'a different token resolves to nothing');
  t.equal(accounts.resolveSession('short'), undefined);
  t.match(accounts.history({ username: 'olga' })[0], { action: 'login', actor: 'olga', detail: { ip: '10.0.0.7' } });
});

t.test('log-in refusals: unknown user, wrong password, disabled account', async (t) => {
  const { accounts } = accountsFixture(t);
  await seedAdminAndOperator(accounts);
  t.match(await accounts.logIn('nobody', OPERATOR_PASSWORD, {}), { ok: false, reason: 'unknown' });
  t.match(await accounts.logIn('not a valid name!', OPERATOR_PASSWORD, {}), { ok: false, reason: 'unknown' });
  t.match(await accounts.logIn('olga', 'wrong password', {}), { ok: false, reason: 'wrong-password' });
  accounts.setDisabled('olga', true, SYSTEM);
  t.match(await accounts.logIn('olga', OPERATOR_PASSWORD, {}), { ok: false, reason: 'disabled' });
  t.equal(await accounts.verifyPassword('olga', OPERATOR_PASSWORD), false, 'a disabled account verifies no password');
  t.same(
    accounts.history({ username: 'olga' }).slice(0, 3).map((e) => [e.action, e.detail.reason ?? null]),
    [['login-failed', 'disabled'], ['disable', null], ['login-failed', 'wrong-password']],
  );
});

t.test('sessions slide while used, expire when idle, and never outlive the absolute maximum', async (t) => {
  const { accounts, clock, db } = accountsFixture(t, { sessions: { idleMs: 10 * MINUTE, maxAgeMs: 30 * MINUTE, touchEveryMs: MINUTE } });
  await seedAdminAndOperator(accounts);
  const login = async () => {
    const outcome = await accounts.logIn('olga', OPERATOR_PASSWORD, {});
    if (!outcome.ok) throw new Error('log-in failed');
    return outcome.session;
  };
  const busy = await login();
  t.equal(busy.expiresAt, START + 10 * MINUTE);
  for (const minute of [9, 18, 27]) {
    clock.now = START + minute * MINUTE;
    t.ok(accounts.resolveSession(busy.token), `used at minute ${minute}: still live`);
  }
  t.equal(accounts.resolveSession(busy.token)?.session.expiresAt, START + 30 * MINUTE, 'the slide stops at the absolute maximum');
  clock.now = START + 30 * MINUTE;
  t.equal(accounts.resolveSession(busy.token), undefined, 'busy until the end, still over at 30 minutes');

  clock.now = START + 40 * MINUTE;
  const idle = await login();
  clock.now += 10 * MINUTE - 1;
  t.ok(accounts.resolveSession(idle.token), 'one ms before the idle timeout');
  const touched = clock.now;
  clock.now = touched + 10 * MINUTE;
  t.equal(accounts.resolveSession(idle.token), undefined, 'idle for 10 minutes since the last use');
  t.equal((db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n, 0, 'the expired rows are gone');
});

t.test('the sliding expiry is written at most once per touch interval', async (t) => {
  const { accounts, clock, db } = accountsFixture(t, { sessions: { idleMs: 10 * MINUTE, maxAgeMs: 60 * MINUTE, touchEveryMs: MINUTE } });
  await seedAdminAndOperator(accounts);
  const outcome = await accounts.logIn('olga', OPERATOR_PASSWORD, {});
  if (!outcome.ok) throw new Error('log-in failed');
  const lastSeen = () => (db.prepare('SELECT last_seen_at AS at FROM sessions').get() as { at: number }).at;
  clock.now = START + 30_000;
  accounts.resolveSession(outcome.session.token);
  t.equal(lastSeen(), START, 'within the interval: no write');
  clock.now = START + MINUTE;
  accounts.resolveSession(outcome.session.token);
  t.equal(lastSeen(), START + MINUTE);
});

t.test('disabling an account revokes every session of it at once; enabling does not bring them back', async (t) => {
  const { accounts } = accountsFixture(t);
  await seedAdminAndOperator(accounts);
  const tokens: string[] = [];
  for (let i = 0; i < 3; i++) {
    const outcome = await accounts.logIn('olga', OPERATOR_PASSWORD, {});
    if (outcome.ok) tokens.push(outcome.session.token);
  }
  const other = await accounts.logIn('alice', ADMIN_PASSWORD, {});
  t.equal(accounts.sessionCount('olga'), 3);
  t.match(accounts.setDisabled('olga', true, { actor: 'alice' }), { disabled: true });
  t.equal(accounts.sessionCount('olga'), 0);
  for (const token of tokens) t.equal(accounts.resolveSession(token), undefined);
  t.ok(other.ok && accounts.resolveSession(other.session.token), "another account's session lives on");
  t.match(accounts.history({ username: 'olga' })[0], { action: 'disable', actor: 'alice', detail: { revokedSessions: 3 } });
  accounts.setDisabled('olga', false, { actor: 'alice' });
  for (const token of tokens) t.equal(accounts.resolveSession(token), undefined);
  t.match(await accounts.logIn('olga', OPERATOR_PASSWORD, {}), { ok: true });
});

t.test('log-out revokes one session; revokeSessions revokes them all', async (t) => {
  const { accounts } = accountsFixture(t);
  await seedAdminAndOperator(accounts);
  const a = await accounts.logIn('olga', OPERATOR_PASSWORD, {});
  const b = await accounts.logIn('olga', OPERATOR_PASSWORD, {});
  if (!a.ok || !b.ok) throw new Error('log-in failed');
  t.equal(accounts.logOut(a.session.token, {}), true);
  t.equal(accounts.logOut(a.session.token, {}), false, 'a second log-out finds nothing');
  t.equal(accounts.resolveSession(a.session.token), undefined);
  t.ok(accounts.resolveSession(b.session.token));
  t.equal(accounts.revokeSessions('olga', SYSTEM), 1);
  t.equal(accounts.resolveSession(b.session.token), undefined);
});

t.test('a new password ends the other sessions, keeps the one that changed it, and the old password fails', async (t) => {
  const { accounts } = accountsFixture(t);
  await seedAdminAndOperator(accounts);
  const here = await accounts.logIn('olga', OPERATOR_PASSWORD, {});
  const elsewhere = await accounts.logIn('olga', OPERATOR_PASSWORD, {});
  if (!here.ok || !elsewhere.ok) throw new Error('log-in failed');
  await accounts.setPassword('olga', 'a brand new password', { actor: 'olga' }, here.session.token);
  t.ok(accounts.resolveSession(here.session.token));
  t.equal(accounts.resolveSession(elsewhere.session.token), undefined);
  t.match(await accounts.logIn('olga', OPERATOR_PASSWORD, {}), { ok: false, reason: 'wrong-password' });
  t.match(await accounts.logIn('olga', 'a brand new password', {}), { ok: true });
  await accounts.setPassword('olga', 'reset by the admin', { actor: 'alice' });
  t.equal(accounts.resolveSession(here.session.token), undefined, 'a reset without a kept session ends them all');
  await t.rejects(accounts.setPassword('olga', 'short', SYSTEM), AccountInputError);
  await t.rejects(accounts.setPassword('olga', 'OLGA', SYSTEM), AccountInputError);
});

t.test('the last enabled admin cannot be demoted, disabled or deleted', async (t) => {
  const { accounts } = accountsFixture(t);
  await seedAdminAndOperator(accounts);
  t.throws(() => accounts.update('alice', { role: 'operator' }, SYSTEM), LastAdminError);
  t.throws(() => accounts.setDisabled('alice', true, SYSTEM), LastAdminError);
  t.throws(() => accounts.delete('alice', SYSTEM), LastAdminError);
  accounts.update('olga', { role: 'admin' }, SYSTEM);
  t.match(accounts.setDisabled('alice', true, SYSTEM), { disabled: true });
  t.throws(() => accounts.delete('olga', SYSTEM), LastAdminError, 'alice is disabled: olga is the last enabled admin');
  t.ok(accounts.delete('alice', SYSTEM), 'a disabled admin can go');
});

t.test('a team account belongs to a registered team; other roles belong to none', async (t) => {
  const teams = new Set(['team-north']);
  const { accounts, db } = accountsFixture(t, { teamExists: (id) => teams.has(id) });
  await t.rejects(accounts.create({ username: 'tom', displayName: 'Tom', role: 'team', password: 'team password 1' }, SYSTEM), /give teamId/);
  await t.rejects(accounts.create({ username: 'tom', displayName: 'Tom', role: 'team', teamId: 'team-south', password: 'team password 1' }, SYSTEM), /team-south is not registered/);
  await t.rejects(accounts.create({ username: 'ivan', displayName: 'Ivan', role: 'installer', teamId: 'team-north', password: 'team password 1' }, SYSTEM), /only a team account/);
  const tom = await accounts.create({ username: 'tom', displayName: 'Tom', role: 'team', teamId: 'team-north', password: 'team password 1' }, SYSTEM);
  t.equal(tom.teamId, 'team-north');
  teams.delete('team-north');
  t.equal(accounts.update('tom', { displayName: 'Tom W.' }, SYSTEM).teamId, 'team-north', 'an unchanged team is not checked again');
  t.equal(accounts.update('tom', { role: 'brigade' }, SYSTEM).teamId, null, 'leaving the team role drops the team');
  t.throws(() => accounts.update('tom', { role: 'team' }, SYSTEM), /give teamId/);
  t.throws(() => db.prepare("UPDATE accounts SET team_id = 'x' WHERE username = 'tom'").run(), /CHECK constraint/, 'the schema holds the rule too');
  await t.rejects(accounts.create({ username: 'tom', displayName: 'Tom', role: 'admin', password: 'team password 1' }, SYSTEM), AccountExistsError);
  await t.rejects(accounts.create({ username: 'Tom', displayName: 'Tom', role: 'admin', password: 'team password 1' }, SYSTEM), /username must match/);
});

t.test('deleting an account deletes its sessions and keeps its audit', async (t) => {
  const { accounts, db } = accountsFixture(t);
  await seedAdminAndOperator(accounts);
  const outcome = await accounts.logIn('olga', OPERATOR_PASSWORD, {});
  t.ok(accounts.delete('olga', { actor: 'alice' }));
  t.notOk(accounts.delete('olga', SYSTEM));
  t.equal((db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n, 0);
  t.ok(outcome.ok && accounts.resolveSession(outcome.session.token) === undefined);
  t.same(accounts.history({ username: 'olga' }).map((e) => e.action), ['delete', 'login', 'create']);
});

t.test('an unknown username costs one scrypt like a wrong password (no timing oracle)', async (t) => {
  const { accounts } = accountsFixture(t, { scryptCost: 16384 });
  await accounts.create({ username: 'olga', displayName: 'Olga', role: 'operator', password: OPERATOR_PASSWORD }, SYSTEM);
  await accounts.logIn('warm-up', 'x', {});
  const timed = async (username: string) => {
    const started = process.hrtime.bigint();
    await accounts.logIn(username, 'wrong password', {});
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  // Interleaved, so a burst of load from another test process hits both series alike.
  const knownTimes: number[] = [];
  const unknownTimes: number[] = [];
  for (let i = 0; i < 7; i++) {
    knownTimes.push(await timed('olga'));
    unknownTimes.push(await timed('nobody'));
  }
  const median = (times: number[]) => times.sort((a, b) => a - b)[3]!;
  const known = median(knownTimes);
  const unknown = median(unknownTimes);
  t.ok(unknown > known * 0.5 && unknown < known * 2, `unknown ${unknown.toFixed(1)} ms vs wrong password ${known.toFixed(1)} ms`);
});

t.test('ensureFirstAdmin creates the admin only while there is none', async (t) => {
  const { accounts } = accountsFixture(t);
  t.equal(await ensureFirstAdmin(accounts, undefined), 'not-configured');
  t.equal(await ensureFirstAdmin(accounts, { username: 'root', password: 'first admin password' }), 'created');
  t.match(accounts.get('root'), { role: 'admin', disabled: false });
  await accounts.setPassword('root', 'changed since then', SYSTEM);
  t.equal(await ensureFirstAdmin(accounts, { username: 'root', password: 'first admin password' }), 'admin-exists');
  t.match(await accounts.logIn('root', 'changed since then', {}), { ok: true }, 'the changed password stays');
  t.equal(await ensureFirstAdmin(accounts, { username: 'other', password: 'first admin password' }), 'admin-exists');
  t.equal(accounts.get('other'), undefined);
});
