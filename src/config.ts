import { z } from 'zod';
import { DEVICE_KINDS, type DeviceKind } from '../devices/model.js';
import type { InfluxTarget } from './writer/influx-target.js';
import { readAccountsEnv, type AccountsConfig } from './accounts/config.js';

/**
 * Configuration comes only from environment variables (12-factor). Every
 * variable is validated here; a bad value stops start-up with a message that
 * names the variable and says what is expected.
 */

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const rateLimitSchema = z.object({
  ratePerSecond: z.number().positive(),
  burst: z.number().int().positive(),
});
export type RateLimit = z.infer<typeof rateLimitSchema>;

/**
 * scrypt N for device secrets. A device secret is 192 random bits, not a
 * password a person chose: nobody can search that space, however fast the
 * hash, so the slow hash is defence in depth for a stolen gateway.db. What the
 * cost does buy is time at CONNECT, and after a gateway restart every device
 * reconnects at once: at N=16384 (≈42 ms a check here) 19,000 devices took
 * ≈11 minutes to be back, fire detectors among them; at 4096 (≈10 ms, 4 MiB
 * of memory per check) about a quarter of that. Account passwords, which people
 * choose, keep a far higher cost (PASSWORD_SCRYPT_COST).
 */
export const DEFAULT_SCRYPT_COST = 4096;

/** Per-kind defaults: generous against each kind's real rate, tight against a flooding device. */
export const DEFAULT_RATE_LIMITS: Record<DeviceKind, RateLimit> = {
  camera: { ratePerSecond: 2, burst: 30 },
  lock: { ratePerSecond: 5, burst: 30 },
  'ebike-station': { ratePerSecond: 20, burst: 200 },
  fire: { ratePerSecond: 5, burst: 30 },
  team: { ratePerSecond: 5, burst: 30 },
};

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** An environment variable holding JSON, parsed, then validated by `schema`. */
function jsonVariable<T extends z.ZodTypeAny>(example: string, schema: T) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected JSON such as ${example}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const rateLimitsSchema = jsonVariable('{"camera":{"ratePerSecond":2,"burst":30}}', z.record(z.enum(DEVICE_KINDS), rateLimitSchema));

const envSchema = z
  .object({
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.string().min(1).default('./data'),

    MQTT_HOST: z.string().min(1).default('0.0.0.0'),
    MQTT_PORT: port.default(1883),
    MQTTS_PORT: port.default(8883),
    TLS_CERT_FILE: z.string().min(1).optional(),
    TLS_KEY_FILE: z.string().min(1).optional(),
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    HTTP_PORT: port.default(8080),

    /** Whole MQTT packets above this are refused at the wire, before they are buffered. */
    MQTT_MAX_PACKET_BYTES: positiveInt.default(256 * 1024),
    /** Payloads above this are answered with a reject on `reply` and dead-lettered. */
    MAX_PAYLOAD_BYTES: positiveInt.default(16 * 1024),
    RATE_LIMITS: rateLimitsSchema.optional(),
    HEARTBEAT_TIMEOUT_FACTOR: z.coerce.number().min(1).max(20).default(2.5),

    /** Device timestamps outside [now - past, now + future] are refused as absurd. */
    TS_MAX_PAST_MS: positiveInt.default(7 * 24 * 3600 * 1000),
    TS_MAX_FUTURE_MS: positiveInt.default(10 * 60 * 1000),
    CLOCK_SKEW_WARN_MS: positiveInt.default(30_000),

    OUTBOX_MAX_MESSAGES: positiveInt.default(2_000_000),
    /** FULL survives power loss; NORMAL survives a process crash (kill -9) only. */
    OUTBOX_SYNC: z.enum(['full', 'normal']).default('full'),
    WRITER_BATCH_LINES: positiveInt.default(5000),

    INFLUX_API: z.enum(['v1', 'v2']).default('v1'),
    INFLUX_URL: z.string().url().default('http://127.0.0.1:8086'),
    INFLUX_DB: z.string().min(1).default('village'),
    INFLUX_RP: z.string().min(1).optional(),
    INFLUX_USERNAME: z.string().min(1).optional(),
    INFLUX_PASSWORD: z.string().min(1).optional(),
    INFLUX_ORG: z.string().min(1).default('village'),
    INFLUX_BUCKET: z.string().min(1).default('village'),
    INFLUX_TOKEN: z.string().min(1).optional(),

    /** More bearer tokens for machine clients, as JSON: [{"name":"wall-1","role":"operator","token":"…"}]. */
    API_TOKENS: jsonVariable(
      '[{"name":"wall-1","role":"operator","token":"<24+ chars>"}]',
      z.array(
        z.object({
          name: z.string().min(1).max(64),
          role: z.enum(['admin', 'operator', 'installer', 'brigade', 'team']),
          token: z.string().min(24, 'each token needs at least 24 characters'),
        }),
      ),
    ).optional(),
    /** Bearer token with the admin role on the HTTP API. */
    ADMIN_TOKEN: z.string().min(24, 'expected a random token of at least 24 characters'),
    /** Keys the HMAC of ID-card numbers; losing it unlinks stored card hashes from future swipes. */
    SITE_SECRET: z.string().min(32, 'expected a random secret of at least 32 characters'),
    /** scrypt cost parameter N for device secrets (power of two); see DEFAULT_SCRYPT_COST. */
    SCRYPT_COST: z.coerce
      .number()
      .int()
      .refine((n) => n >= 1024 && n <= 1 << 20 && (n & (n - 1)) === 0, 'expected a power of two between 1024 and 1048576')
      .default(DEFAULT_SCRYPT_COST),
    TRUST_PROXY: bool.default('false'),

    /** Directory with roads.geojson (+ zones.geojson, places.geojson); without it nothing can be dispatched. */
    SITE_DIR: z.string().min(1).optional(),
    SITE_TIME_ZONE: z
      .string()
      .default('Asia/Shanghai')
      .refine(isTimeZone, { message: 'expected an IANA time zone such as Asia/Shanghai' }),
    /** The YAML rules; hot-reloaded. Default: the shipped rules/default-rules.yaml. */
    RULES_FILE: z.string().min(1).optional(),
    DISPATCH_ACK_WINDOW_MS: positiveInt.default(30_000),
    ARRIVAL_RADIUS_M: positiveInt.default(50),
    ARRIVAL_TARGET_SECONDS: positiveInt.default(180),
    TEAM_STALE_AFTER_MS: positiveInt.default(120_000),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.TLS_CERT_FILE) !== Boolean(env.TLS_KEY_FILE)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [env.TLS_CERT_FILE ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE'],
        message: 'TLS_CERT_FILE and TLS_KEY_FILE must be set together',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export type { InfluxTarget };

export interface Config {
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  mqtt: {
    host: string;
    port: number;
    tls?: { port: number; certFile: string; keyFile: string };
    maxPacketBytes: number;
  };
  http: { host: string; port: number; trustProxy: boolean };
  ingest: {
    maxPayloadBytes: number;
    rateLimits: Record<DeviceKind, RateLimit>;
    heartbeatTimeoutFactor: number;
    tsMaxPastMs: number;
    tsMaxFutureMs: number;
    clockSkewWarnMs: number;
  };
  outbox: { maxMessages: number; sync: 'full' | 'normal' };
  influx: InfluxTarget;
  writerBatchLines: number;
  adminToken: string;
  apiTokens: { name: string; role: 'admin' | 'operator' | 'installer' | 'brigade' | 'team'; token: string }[];
  siteSecret: string;
  scryptCost: number;
  siteDir?: string;
  /** The site's clock: every page shows times in it. */
  siteTimeZone: string;
  rulesFile?: string;
  dispatch: { ackWindowMs: number; arrivalRadiusM: number; targetSeconds: number; staleAfterMs: number };
  accounts: AccountsConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const accounts = readAccountsEnv(env);
  if (!parsed.success || !accounts.ok) {
    throw new ConfigError([
      ...(parsed.error?.issues ?? []).map((issue) => {
        const variable = String(issue.path[0] ?? '(environment)');
        const raw = env[variable];
        const shown = raw === undefined ? 'it is not set' : `got ${JSON.stringify(isSecret(variable) ? '<hidden>' : raw)}`;
        return `${variable}: ${issue.message} (${shown})`;
      }),
      ...(accounts.ok ? [] : accounts.problems),
    ]);
  }
  const e = parsed.data;
  return {
    logLevel: e.LOG_LEVEL,
    dataDir: e.DATA_DIR,
    mqtt: {
      host: e.MQTT_HOST,
      port: e.MQTT_PORT,
      maxPacketBytes: e.MQTT_MAX_PACKET_BYTES,
      ...(e.TLS_CERT_FILE && e.TLS_KEY_FILE
        ? { tls: { port: e.MQTTS_PORT, certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } }
        : {}),
    },
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT, trustProxy: e.TRUST_PROXY },
    ingest: {
      maxPayloadBytes: e.MAX_PAYLOAD_BYTES,
      rateLimits: { ...DEFAULT_RATE_LIMITS, ...(e.RATE_LIMITS ?? {}) },
      heartbeatTimeoutFactor: e.HEARTBEAT_TIMEOUT_FACTOR,
      tsMaxPastMs: e.TS_MAX_PAST_MS,
      tsMaxFutureMs: e.TS_MAX_FUTURE_MS,
      clockSkewWarnMs: e.CLOCK_SKEW_WARN_MS,
    },
    outbox: { maxMessages: e.OUTBOX_MAX_MESSAGES, sync: e.OUTBOX_SYNC },
    influx:
      e.INFLUX_API === 'v1'
        ? {
            api: 'v1',
            url: e.INFLUX_URL,
            database: e.INFLUX_DB,
            ...(e.INFLUX_RP ? { retentionPolicy: e.INFLUX_RP } : {}),
            ...(e.INFLUX_USERNAME ? { username: e.INFLUX_USERNAME } : {}),
            ...(e.INFLUX_PASSWORD ? { password: e.INFLUX_PASSWORD } : {}),
          }
        : {
            api: 'v2',
            url: e.INFLUX_URL,
            org: e.INFLUX_ORG,
            bucket: e.INFLUX_BUCKET,
            ...(e.INFLUX_TOKEN ? { token: e.INFLUX_TOKEN } : {}),
          },
    writerBatchLines: e.WRITER_BATCH_LINES,
    adminToken: e.ADMIN_TOKEN,
    apiTokens: e.API_TOKENS ?? [],
    siteSecret: e.SITE_SECRET,
    scryptCost: e.SCRYPT_COST,
    ...(e.SITE_DIR ? { siteDir: e.SITE_DIR } : {}),
    siteTimeZone: e.SITE_TIME_ZONE,
    ...(e.RULES_FILE ? { rulesFile: e.RULES_FILE } : {}),
    accounts: accounts.config,
    dispatch: {
      ackWindowMs: e.DISPATCH_ACK_WINDOW_MS,
      arrivalRadiusM: e.ARRIVAL_RADIUS_M,
      targetSeconds: e.ARRIVAL_TARGET_SECONDS,
      staleAfterMs: e.TEAM_STALE_AFTER_MS,
    },
  };
}

function isSecret(variable: string): boolean {
  return /TOKEN|SECRET|PASSWORD/.test(variable);
}
