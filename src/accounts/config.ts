import { z } from 'zod';
import { USERNAME_PATTERN, checkPassword } from './credentials.js';
import type { FirstAdmin } from './first-admin.js';
import type { LoginRateLimitOptions } from './login-rate-limit.js';
import type { SessionTimes } from './sessions.js';

export interface AccountsConfig {
  /** scrypt N for password hashes. */
  passwordScryptCost: number;
  /** Always mark the cookie Secure (behind a TLS proxy without TRUST_PROXY); otherwise only over TLS. */
  cookieSecure: boolean;
  sessions: Pick<SessionTimes, 'idleMs' | 'maxAgeMs'>;
  loginRateLimit: Required<Omit<LoginRateLimitOptions, 'now'>>;
  firstAdmin?: FirstAdmin;
}

const positiveInt = z.coerce.number().int().positive();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const envSchema = z
  .object({
    /**
     * Passwords are chosen by people, so they get a higher cost than the
     * random device secrets: 32768 is 32 MiB and about 0.1 s per log-in here.
     */
    PASSWORD_SCRYPT_COST: z.coerce
      .number()
      .int()
      .refine((n) => n >= 1024 && n <= 1 << 20 && (n & (n - 1)) === 0, 'expected a power of two between 1024 and 1048576')
      .default(32768),
    COOKIE_SECURE: bool.default('false'),
    SESSION_IDLE_MINUTES: positiveInt.default(60),
    SESSION_MAX_HOURS: positiveInt.max(24 * 30).default(12),
    LOGIN_MAX_FAILURES: positiveInt.default(5),
    LOGIN_MAX_FAILURES_PER_CLIENT: positiveInt.default(20),
    LOGIN_WINDOW_MINUTES: positiveInt.default(15),
    FIRST_ADMIN_USERNAME: z.string().regex(USERNAME_PATTERN, `expected a username matching ${USERNAME_PATTERN.source}`).optional(),
    FIRST_ADMIN_PASSWORD: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.FIRST_ADMIN_USERNAME) !== Boolean(env.FIRST_ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [env.FIRST_ADMIN_USERNAME ? 'FIRST_ADMIN_PASSWORD' : 'FIRST_ADMIN_USERNAME'],
        message: 'FIRST_ADMIN_USERNAME and FIRST_ADMIN_PASSWORD must be set together',
      });
    } else if (env.FIRST_ADMIN_USERNAME && env.FIRST_ADMIN_PASSWORD) {
      try {
        checkPassword(env.FIRST_ADMIN_PASSWORD, env.FIRST_ADMIN_USERNAME);
      } catch (err) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['FIRST_ADMIN_PASSWORD'], message: (err as Error).message });
      }
    }
  });

const SECRET_VARIABLES = new Set(['FIRST_ADMIN_PASSWORD']);

export type AccountsEnv = { ok: true; config: AccountsConfig } | { ok: false; problems: string[] };

/**
 * The accounts' environment variables, validated the way src/config.ts does
 * it: each problem names the variable, what is expected and what it got (a
 * password never). Returns the problems instead of throwing so loadConfig can
 * report them in its one ConfigError, without this module importing config.ts.
 */
export function readAccountsEnv(env: NodeJS.ProcessEnv = process.env): AccountsEnv {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(environment)');
        const raw = env[variable];
        const shown = raw === undefined ? 'it is not set' : `got ${JSON.stringify(SECRET_VARIABLES.has(variable) ? '<hidden>' : raw)}`;
        return `${variable}: ${issue.message} (${shown})`;
      }),
    };
  }
  const e = parsed.data;
  return {
    ok: true,
    config: {
      passwordScryptCost: e.PASSWORD_SCRYPT_COST,
      cookieSecure: e.COOKIE_SECURE,
      sessions: { idleMs: e.SESSION_IDLE_MINUTES * 60_000, maxAgeMs: e.SESSION_MAX_HOURS * 3600_000 },
      loginRateLimit: {
        maxFailuresPerUsername: e.LOGIN_MAX_FAILURES,
        maxFailuresPerClient: e.LOGIN_MAX_FAILURES_PER_CLIENT,
        windowMs: e.LOGIN_WINDOW_MINUTES * 60_000,
      },
      ...(e.FIRST_ADMIN_USERNAME && e.FIRST_ADMIN_PASSWORD ? { firstAdmin: { username: e.FIRST_ADMIN_USERNAME, password: e.FIRST_ADMIN_PASSWORD } } : {}),
    },
  };
}
