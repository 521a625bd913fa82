import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCardProtector } from '../../devices/card.js';
import { Registers } from '../../src/registers/registers.js';
import { REGISTERS_MIGRATION } from '../../src/registers/schema.js';
import { migrate, openDatabase, type SqliteDatabase } from '../../src/store/sqlite.js';

export const ID_NUMBER = '330106199001011234';
export const ID_NUMBER_MASKED = '330***********1234';
export const UID = '04A1B2C3';

/** Every way a clear card could slip out: as typed, normalized, and its digits without separators. */
export const CLEAR_FORMS = [ID_NUMBER, '33010619900101123X', '04A1B2C3', '04a1b2c3', '110101198001010019', '9F8E7D6C5B4A', '9f8e7d6c5b4a'] as const;

export interface Fixture {
  dir: string;
  file: string;
  db: SqliteDatabase;
  registers: Registers;
  clock: { now: number };
  reopen(): Registers;
  /** Every byte of the SQLite files (main, -wal, -shm) as latin1 text. */
  fileBytes(): string;
}

export const protectCardFor = (site: string) => createCardProtector(`key-of-${site}`);

export function registersFixture(t: { teardown(fn: () => void): void }): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'registers-'));
  const file = join(dir, 'gateway.db');
  const db = openDatabase(file, { sync: 'normal' });
  migrate(db, [REGISTERS_MIGRATION]);
  const clock = { now: Date.UTC(2025, 0, 1) };
  const registers = new Registers(db, protectCardFor, { now: () => clock.now });
  t.teardown(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    file,
    db,
    registers,
    clock,
    reopen: () => new Registers(db, protectCardFor, { now: () => clock.now }),
    fileBytes: () => readdirSync(dir).map((name) => readFileSync(join(dir, name)).toString('latin1')).join('\n'),
  };
}
