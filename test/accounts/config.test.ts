import t from 'tap';
import { readAccountsEnv, type AccountsConfig } from '../../src/accounts/config.js';

function configOf(env: NodeJS.ProcessEnv): AccountsConfig {
  const read = readAccountsEnv(env);
  if (!read.ok) throw new Error(read.problems.join('\n'));
  return read.config;
}

t.test('defaults: 12 h sessions, 1 h idle, 5 failures per username and 20 per address in 15 min, no first admin', async (t) => {
  t.same(configOf({}), {
    passwordScryptCost: 32768,
    cookieSecure: false,
    sessions: { idleMs: 3600_000, maxAgeMs: 12 * 3600_000 },
    loginRateLimit: { maxFailuresPerUsername: 5, maxFailuresPerClient: 20, windowMs: 15 * 60_000 },
  });
});

t.test('every variable is read', async (t) => {
  const config = configOf({
    PASSWORD_SCRYPT_COST: '16384',
    COOKIE_SECURE: 'true',
    SESSION_IDLE_MINUTES: '30',
    SESSION_MAX_HOURS: '8',
    LOGIN_MAX_FAILURES: '3',
    LOGIN_MAX_FAILURES_PER_CLIENT: '50',
    LOGIN_WINDOW_MINUTES: '10',
    FIRST_ADMIN_USERNAME: 'admin',
    FIRST_ADMIN_PASSWORD: 'a long first password',
  });
  t.same(config, {
    passwordScryptCost: 16384,
    cookieSecure: true,
    sessions: { idleMs: 30 * 60_000, maxAgeMs: 8 * 3600_000 },
    loginRateLimit: { maxFailuresPerUsername: 3, maxFailuresPerClient: 50, windowMs: 10 * 60_000 },
    firstAdmin: { username: 'admin', password: 'a long first password' },
  });
});

t.test('a bad value names the variable and never echoes the password', async (t) => {
  const problems = (env: NodeJS.ProcessEnv) => {
    const read = readAccountsEnv(env);
    return read.ok ? '' : read.problems.join('\n');
  };
  t.match(problems({ FIRST_ADMIN_USERNAME: 'admin' }), /FIRST_ADMIN_PASSWORD: FIRST_ADMIN_USERNAME and FIRST_ADMIN_PASSWORD must be set together/);
  const short = problems({ FIRST_ADMIN_USERNAME: 'admin', FIRST_ADMIN_PASSWORD: 'tiny-pw' });
  t.match(short, /FIRST_ADMIN_PASSWORD: password needs at least 10 characters/);
  t.notMatch(short, /tiny-pw/);
  t.match(problems({ FIRST_ADMIN_USERNAME: 'Bad Name', FIRST_ADMIN_PASSWORD: 'long enough password' }), /FIRST_ADMIN_USERNAME: expected a username/);
  t.match(problems({ PASSWORD_SCRYPT_COST: '1000' }), /PASSWORD_SCRYPT_COST: expected a power of two/);
  t.match(problems({ COOKIE_SECURE: 'maybe' }), /COOKIE_SECURE/);
});
