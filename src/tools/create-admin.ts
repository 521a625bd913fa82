/**
 * Creates the first admin account (or, with --reset, gives an existing
 * account a new password, the admin role and no sessions: the way back in
 * when every admin password is lost). Works on DATA_DIR/gateway.db, also
 * while the gateway runs (SQLite WAL; the gateway reads accounts per request).
 *
 *   node --import tsx src/tools/create-admin.ts --username admin
 *       generates a password and prints it once
 *   printf '%s\n' "$PASSWORD" | node --import tsx src/tools/create-admin.ts --username admin --password-stdin
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Accounts } from '../accounts/accounts.js';
import { generatePassword } from '../accounts/credentials.js';
import { GATEWAY_MIGRATIONS } from '../registry/schema.js';
import { migrate, openDatabase } from '../store/sqlite.js';

export interface CreateAdminRequest {
  dataDir: string;
  username: string;
  displayName?: string | undefined;
  /** Absent: one is generated and returned. */
  password?: string | undefined;
  reset: boolean;
  scryptCost: number;
  migrations?: readonly string[] | undefined;
}

export interface CreateAdminResult {
  action: 'created' | 'reset';
  username: string;
  /** Set only when it was generated here: show it once, never store it. */
  generatedPassword?: string;
}

export async function createAdmin(request: CreateAdminRequest): Promise<CreateAdminResult> {
  mkdirSync(request.dataDir, { recursive: true });
  const db = openDatabase(join(request.dataDir, 'gateway.db'));
  try {
    migrate(db, request.migrations ?? GATEWAY_MIGRATIONS);
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'accounts'").get()) {
      throw new Error('gateway.db has no accounts table: ACCOUNTS_MIGRATION is not in GATEWAY_MIGRATIONS (src/registry/schema.ts)');
    }
    const accounts = new Accounts({ db, scryptCost: request.scryptCost });
    const generated = request.password === undefined ? generatePassword() : undefined;
    const password = request.password ?? generated!;
    const caller = { actor: 'create-admin (command line)' };
    const existing = accounts.get(request.username);
    if (existing && !request.reset) throw new Error(`account ${request.username} already exists; --reset gives it a new password`);
    if (existing) {
      if (existing.role !== 'admin') accounts.update(request.username, { role: 'admin' }, caller);
      if (existing.disabled) accounts.setDisabled(request.username, false, caller);
      await accounts.setPassword(request.username, password, caller);
    } else {
      await accounts.create({ username: request.username, displayName: request.displayName ?? request.username, role: 'admin', password }, caller);
    }
    return { action: existing ? 'reset' : 'created', username: request.username, ...(generated !== undefined ? { generatedPassword: generated } : {}) };
  } finally {
    db.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const USAGE = `usage: node --import tsx src/tools/create-admin.ts --username NAME [--display-name TEXT] [--password-stdin] [--reset]
  DATA_DIR (default ./data) holds gateway.db; PASSWORD_SCRYPT_COST (default 32768) is the hash cost.
  Without --password-stdin a password is generated and printed once.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      username: { type: 'string' },
      'display-name': { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      reset: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.username) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const result = await createAdmin({
    dataDir: process.env.DATA_DIR || './data',
    username: values.username,
    displayName: values['display-name'],
    password: values['password-stdin'] ? await readStdin() : undefined,
    reset: values.reset,
    scryptCost: Number(process.env.PASSWORD_SCRYPT_COST || 32768),
  });
  process.stdout.write(`${result.action === 'created' ? 'created admin account' : 'reset account'} ${result.username}\n`);
  if (result.generatedPassword !== undefined) {
    process.stdout.write(`password (shown only this once; only its hash is stored): ${result.generatedPassword}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`create-admin: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
