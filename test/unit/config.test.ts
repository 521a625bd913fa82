import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.js';

const base = { ADMIN_TOKEN: 'a'.repeat(32), SITE_SECRET: 's'.repeat(40) };

t.test('defaults produce a working configuration', async (t) => {
  const config = loadConfig(base);
  t.equal(config.mqtt.port, 1883);
  t.equal(config.influx.api, 'v1');
  t.equal(config.ingest.rateLimits.camera.ratePerSecond, 2);
});

t.test('a bad value names the variable, what is expected, and what it got', async (t) => {
  const err = t.throws(() => loadConfig({ ...base, MQTT_PORT: 'eighty' })) as ConfigError;
  t.ok(err instanceof ConfigError);
  t.match(err.message, /MQTT_PORT: Expected number.*got "eighty"/s);
  const missing = t.throws(() => loadConfig({})) as ConfigError;
  t.match(missing.message, /ADMIN_TOKEN: .*it is not set/);
  t.match(missing.message, /SITE_SECRET: .*it is not set/);
  const secret = t.throws(() => loadConfig({ ...base, SITE_SECRET: 'short' })) as ConfigError;
  t.notMatch(secret.message, /short/, 'secrets are never echoed');
  t.throws(() => loadConfig({ ...base, INFLUX_API: 'v3' }), /INFLUX_API/);
  t.throws(() => loadConfig({ ...base, SITE_TIME_ZONE: 'Mars/Olympus' }), /SITE_TIME_ZONE: expected an IANA time zone/);
  t.equal(loadConfig(base).siteTimeZone, 'Asia/Shanghai', 'the village clock by default');
  t.equal(loadConfig({ ...base, SITE_TIME_ZONE: 'Asia/Urumqi' }).siteTimeZone, 'Asia/Urumqi');
  t.throws(() => loadConfig({ ...base, TLS_CERT_FILE: '/x.pem' }), /TLS_KEY_FILE: TLS_CERT_FILE and TLS_KEY_FILE must be set together/);
  t.throws(() => loadConfig({ ...base, RATE_LIMITS: '{"camera":{"ratePerSecond":-1,"burst":2}}' }), /RATE_LIMITS/);
  t.throws(() => loadConfig({ ...base, RATE_LIMITS: 'not json' }), /RATE_LIMITS: expected JSON/);
});

t.test('RATE_LIMITS overrides one kind and keeps the other defaults', async (t) => {
  const config = loadConfig({ ...base, RATE_LIMITS: '{"fire":{"ratePerSecond":100,"burst":500}}' });
  t.same(config.ingest.rateLimits.fire, { ratePerSecond: 100, burst: 500 });
  t.equal(config.ingest.rateLimits.camera.burst, 30);
});
