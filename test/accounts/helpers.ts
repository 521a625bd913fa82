import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Accounts, ACCOUNTS_MIGRATION, type AccountsOptions } from '../../src/accounts/accounts.js';
import { migrate, openDatabase, type SqliteDatabase } from '../../src/store/sqlite.js';

/** The lowest cost hashSecret takes: tests stay fast, the code path is the real one. */
export const TEST_SCRYPT_COST = 1024;
export const START = Date.UTC(2025, 0, 1, 8);
export const ADMIN_PASSWORD = 'correct horse battery';
export const OPERATOR_PASSWORD = 'operator pass 1234';

export interface AccountsFixture {
  dir: string;
  db: SqliteDatabase;
  accounts: Accounts;
  clock: { now: number };
  /** Every byte of the SQLite files (main, -wal, -shm) as latin1 text. */
  fileBytes(): string;
}

export function accountsFixture(
  t: { teardown(fn: () => void): void },
  options: Partial<Omit<AccountsOptions, 'db' | 'now'>> = {},
): AccountsFixture {
  const dir = mkdtempSync(join(tmpdir(), 'accounts-'));
  const db = openDatabase(join(dir, 'gateway.db'), { sync: 'normal' });
  migrate(db, [ACCOUNTS_MIGRATION]);
  const clock = { now: START };
  const accounts = new Accounts({ scryptCost: TEST_SCRYPT_COST, ...options, db, now: () => clock.now });
  t.teardown(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    db,
    accounts,
    clock,
    fileBytes: () => readdirSync(dir).map((name) => readFileSync(join(dir, name)).toString('latin1')).join('\n'),
  };
}

export const SYSTEM = { actor: 'test' };

export async function seedAdminAndOperator(accounts: Accounts): Promise<void> {
  await accounts.create({ username: 'alice', displayName: 'Alice Admin', role: 'admin', password: ADMIN_PASSWORD }, SYSTEM);
  await accounts.create({ username: 'olga', displayName: 'Olga Operator', role: 'operator', password: OPERATOR_PASSWORD }, SYSTEM);
}
