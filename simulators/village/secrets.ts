import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Device secrets as the gateway issued them at registration (they are shown
 * once), kept next to the plan in `secrets.json`, readable by the owner only.
 */

export const SECRETS_FILE = 'secrets.json';

export interface SecretsFile {
  version: 1;
  /** The gateway that issued them (HTTP base URL): secrets of another gateway are useless. */
  gateway: string;
  devices: Record<string, string>;
}

export function secretsPath(dir: string): string {
  return join(dir, SECRETS_FILE);
}

export function readSecrets(dir: string): SecretsFile | undefined {
  const path = secretsPath(dir);
  if (!existsSync(path)) return undefined;
  const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<SecretsFile>;
  if (value.version !== 1 || typeof value.devices !== 'object' || value.devices === null) throw new Error(`${path}: not a secrets file of this simulator`);
  return { version: 1, gateway: String(value.gateway ?? ''), devices: value.devices };
}

/** Written to a temporary file (mode 600) and renamed: a crash mid-write never loses the secrets already issued. */
export function writeSecrets(dir: string, secrets: SecretsFile): void {
  const path = secretsPath(dir);
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(secrets, null, 1)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
