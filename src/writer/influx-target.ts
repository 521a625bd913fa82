/**
 * Where the writer sends line protocol. config.ts validates into exactly this shape.
 * v1: `/write` of InfluxDB 1.x (and the 1.x compatibility API of 2.x/3.x);
 * v2: `/api/v2/write` of InfluxDB 2.x, 3.x, 1.8+ and VictoriaMetrics.
 */
export type InfluxTarget =
  | {
      api: 'v1';
      url: string;
      database: string;
      retentionPolicy?: string;
      username?: string;
      password?: string;
    }
  | {
      api: 'v2';
      url: string;
      org: string;
      bucket: string;
      token?: string;
    };

/** Lines carry nanosecond timestamps fixed at ingest, so both APIs are told `precision=ns`. */
export function writePath(target: InfluxTarget): string {
  if (target.api === 'v1') {
    const params = new URLSearchParams({ db: target.database, precision: 'ns' });
    if (target.retentionPolicy) params.set('rp', target.retentionPolicy);
    return `/write?${params}`;
  }
  const params = new URLSearchParams({ org: target.org, bucket: target.bucket, precision: 'ns' });
  return `/api/v2/write?${params}`;
}

/**
 * v1 credentials go in a Basic header rather than `u=`/`p=` query parameters, so they never
 * appear in URLs that proxies and our own error messages may log. The v2 token is set on the
 * client (`Authorization: Token …`).
 */
export function authHeaders(target: InfluxTarget): Record<string, string> {
  if (target.api === 'v1' && target.username !== undefined) {
    const basic = Buffer.from(`${target.username}:${target.password ?? ''}`).toString('base64');
    return { authorization: `Basic ${basic}` };
  }
  return {};
}

/** For logs: where we write, without credentials. */
export function describeTarget(target: InfluxTarget): Record<string, string> {
  const url = new URL(target.url);
  url.username = '';
  url.password = '';
  const base = url.toString().replace(/\/$/, '');
  return target.api === 'v1'
    ? { api: 'v1', url: base, database: target.database, ...(target.retentionPolicy ? { rp: target.retentionPolicy } : {}) }
    : { api: 'v2', url: base, org: target.org, bucket: target.bucket };
}

/** InfluxQL identifier quoting: `"` and `\` are escaped inside double quotes. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/["\\]/g, '\\$&')}"`;
}
