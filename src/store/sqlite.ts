import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

export interface OpenOptions {
  /** 'full' fsyncs the WAL on every commit (survives power loss); 'normal' survives a process crash. */
  sync?: 'full' | 'normal';
  readonly?: boolean;
}

/** Opens a SQLite file in WAL mode: readers never block the single writer. */
export function openDatabase(file: string, options: OpenOptions = {}): SqliteDatabase {
  const db = new Database(file, options.readonly ? { readonly: true, fileMustExist: true } : {});
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.sync === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
  }
  return db;
}

/**
 * Applies numbered migrations once each, recording the version in
 * `PRAGMA user_version` so a newer schema is never applied twice.
 */
export function migrate(db: SqliteDatabase, migrations: readonly string[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
