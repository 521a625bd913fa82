import { readFileSync } from 'node:fs';
import type { ArgValues } from '../args.js';

/**
 * The admin token, from `--token`, `--token-file` (plain text, or JSON with
 * `ADMIN_TOKEN` as run-local writes it) or `$ADMIN_TOKEN`. A token on the
 * command line is visible in `ps`; the file or the environment is better.
 */
export function adminToken(values: ArgValues): string {
  if (typeof values.token === 'string' && values.token) return values.token;
  const file = values['token-file'];
  if (typeof file === 'string') {
    const text = readFileSync(file, 'utf8').trim();
    if (text.startsWith('{')) {
      const token = (JSON.parse(text) as { ADMIN_TOKEN?: unknown }).ADMIN_TOKEN;
      if (typeof token !== 'string' || !token) throw new Error(`${file}: no ADMIN_TOKEN in this JSON file`);
      return token;
    }
    return text;
  }
  const fromEnv = process.env.ADMIN_TOKEN;
  if (fromEnv) return fromEnv;
  throw new Error('an admin token is needed: --token-file <file>, $ADMIN_TOKEN or --token');
}
