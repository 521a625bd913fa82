import type { Accounts } from './accounts.js';

export interface FirstAdmin {
  username: string;
  password: string;
}

export type FirstAdminOutcome = 'created' | 'admin-exists' | 'not-configured';

/**
 * Creates the first admin from configuration (FIRST_ADMIN_USERNAME /
 * FIRST_ADMIN_PASSWORD) only while no admin account exists, so the variables
 * can stay set without ever resetting a password an admin has changed since.
 */
export async function ensureFirstAdmin(accounts: Accounts, firstAdmin: FirstAdmin | undefined): Promise<FirstAdminOutcome> {
  if (accounts.hasAdmin()) return 'admin-exists';
  if (!firstAdmin) return 'not-configured';
  await accounts.create(
    { username: firstAdmin.username, displayName: firstAdmin.username, role: 'admin', password: firstAdmin.password },
    { actor: 'FIRST_ADMIN_USERNAME' },
  );
  return 'created';
}
