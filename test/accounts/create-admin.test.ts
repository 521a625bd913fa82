import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ACCOUNTS_MIGRATION, Accounts } from '../../src/accounts/accounts.js';
import { GATEWAY_MIGRATIONS } from '../../src/registry/schema.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { createAdmin } from '../../src/tools/create-admin.js';
import { TEST_SCRYPT_COST } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'create-admin-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function logsIn(dataDir: string, username: string, password: string): Promise<boolean> {
  const db = openDatabase(join(dataDir, 'gateway.db'));
  try {
    return (await new Accounts({ db, scryptCost: TEST_SCRYPT_COST }).logIn(username, password, {})).ok;
  } finally {
    db.close();
  }
}

const base = { scryptCost: TEST_SCRYPT_COST, migrations: [ACCOUNTS_MIGRATION], reset: false };

t.test('creates an admin with a generated password, shown once; refuses a second time without --reset', async (t) => {
  const dataDir = tempDir(t);
  const created = await createAdmin({ ...base, dataDir, username: 'admin' });
  t.equal(created.action, 'created');
  t.match(created.generatedPassword, /^[\w-]{24}$/);
  t.ok(await logsIn(dataDir, 'admin', created.generatedPassword!));
  await t.rejects(createAdmin({ ...base, dataDir, username: 'admin' }), /already exists; --reset/);
});

t.test('--reset gives an existing account a new password, the admin role, and enables it', async (t) => {
  const dataDir = tempDir(t);
  await createAdmin({ ...base, dataDir, username: 'admin', password: 'the first password' });
  const db = openDatabase(join(dataDir, 'gateway.db'));
  const accounts = new Accounts({ db, scryptCost: TEST_SCRYPT_COST });
  await accounts.create({ username: 'boss', displayName: 'Boss', role: 'admin', password: 'boss password 1' }, { actor: 'test' });
  accounts.update('admin', { role: 'operator' }, { actor: 'test' });
  accounts.setDisabled('admin', true, { actor: 'test' });
  db.close();
  const reset = await createAdmin({ ...base, dataDir, username: 'admin', password: 'the second password', reset: true });
  t.same(reset, { action: 'reset', username: 'admin' }, 'a given password is not echoed back');
  t.notOk(await logsIn(dataDir, 'admin', 'the first password'));
  t.ok(await logsIn(dataDir, 'admin', 'the second password'));
});

t.test('a short password is refused; a database without the accounts migration is named as the cause', async (t) => {
  const dataDir = tempDir(t);
  await t.rejects(createAdmin({ ...base, dataDir, username: 'admin', password: 'short' }), /at least 10 characters/);
  await t.rejects(createAdmin({ ...base, dataDir: tempDir(t), username: 'admin', migrations: ['CREATE TABLE other (a)'] }), /ACCOUNTS_MIGRATION is not in GATEWAY_MIGRATIONS/);
});

const wired = GATEWAY_MIGRATIONS.includes(ACCOUNTS_MIGRATION);
t.test('the command line, on DATA_DIR/gateway.db', { skip: wired ? false : 'ACCOUNTS_MIGRATION is not yet appended to GATEWAY_MIGRATIONS' }, async (t) => {
  const dataDir = tempDir(t);
  const run = (args: string[], input?: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/tools/create-admin.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, PASSWORD_SCRYPT_COST: String(TEST_SCRYPT_COST) },
      input: input ?? '',
      encoding: 'utf8',
    });
  const generated = run(['--username', 'admin']);
  t.equal(generated.status, 0, generated.stderr);
  const password = /shown only this once; only its hash is stored\): (\S+)/.exec(generated.stdout)?.[1];
  t.ok(password && (await logsIn(dataDir, 'admin', password)));
  const piped = run(['--username', 'chief', '--password-stdin'], 'piped in password\n');
  t.equal(piped.status, 0, piped.stderr);
  t.notMatch(piped.stdout, /piped in password/);
  t.ok(await logsIn(dataDir, 'chief', 'piped in password'));
  const again = run(['--username', 'chief', '--password-stdin'], 'piped in password\n');
  t.equal(again.status, 1);
  t.match(again.stderr, /already exists/);
  t.equal(run([]).status, 2, 'no --username: usage');
});
