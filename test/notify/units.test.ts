import t from 'tap';
import { changesBetween, eventTypeOf, idempotencyKey, publicIncident } from '../../src/notify/incident-changes.js';
import { classifyStatus, DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelayMs } from '../../src/notify/retry-policy.js';
import { signWebhook, verifyWebhook } from '../../src/notify/signature.js';
import { checkWebhookUrl } from '../../src/notify/subscriptions.js';
import { incident } from './helpers.js';

t.test('changes: lifecycle first, then team, then severity; nothing for an ack or an ETA', async (t) => {
  const open = { status: 'open', severity: 'orange', teamId: null } as const;
  t.same(changesBetween(open, open), []);
  t.same(changesBetween(open, { ...open, status: 'dispatched', teamId: 'T1' }), ['dispatched']);
  t.same(changesBetween({ ...open, status: 'dispatched', teamId: 'T1' }, { ...open, status: 'dispatched', teamId: 'T2' }), ['redispatched']);
  t.same(changesBetween({ ...open, status: 'dispatched', teamId: 'T1' }, { ...open, status: 'open', teamId: null }), ['reopened']);
  t.same(changesBetween(open, { ...open, severity: 'red' }), ['severity_raised']);
  t.same(changesBetween({ ...open, severity: 'red' }, open), ['severity_lowered']);
  t.same(changesBetween(open, { status: 'escalated', severity: 'red', teamId: 'T1' }), ['escalated', 'severity_raised']);
  for (const status of ['accepted', 'arrived', 'resolved', 'cancelled'] as const) t.same(changesBetween(open, { ...open, status }), [status]);
});

t.test('event types and keys', async (t) => {
  t.equal(eventTypeOf('opened'), 'incident.opened');
  t.equal(eventTypeOf('accepted'), 'incident.updated');
  t.equal(eventTypeOf('severity_raised'), 'incident.updated');
  t.equal(eventTypeOf('resolved'), 'incident.resolved');
  t.equal(eventTypeOf('cancelled'), 'incident.cancelled');
  t.equal(idempotencyKey('bs_00112233aabbccdd', 42, 3, 'arrived'), 'bs_00112233aabbccdd.inc42.v3.arrived');
});

t.test('the public incident leaves out the rule key, operator names and notes', async (t) => {
  const shown = publicIncident(incident({ key: 'card-hash-abc', acknowledgedBy: 'olga', note: 'tenant Wang, room 3-201' }));
  const text = JSON.stringify(shown);
  for (const hidden of ['card-hash-abc', 'olga', 'Wang']) t.notOk(text.includes(hidden), hidden);
  t.equal(shown.title, 'Fire alarm at Furniture Factory 7');
});

t.test('retry delays: exponential with equal jitter, capped; Retry-After honoured within bounds', async (t) => {
  const policy = { ...DEFAULT_RETRY_POLICY, initialMs: 1000, maxMs: 300_000, maxRetryAfterMs: 300_000 };
  t.equal(retryDelayMs(1, policy, () => 0), 500);
  t.equal(retryDelayMs(1, policy, () => 0.999_999), 1000);
  t.equal(retryDelayMs(4, policy, () => 0), 4000);
  t.equal(retryDelayMs(30, policy, () => 0.999_999), 300_000);
  t.ok(retryDelayMs(30, policy, () => 0) >= 150_000, 'even the unlucky jitter stays at half the cap');
  t.equal(retryDelayMs(1, policy, () => 0, 120_000), 120_000);
  t.equal(retryDelayMs(1, policy, () => 0, 3_600_000), 300_000, 'a huge Retry-After is capped');
  t.equal(retryDelayMs(1, policy, () => 0, 0), 1000, '"Retry-After: 0" does not hot-loop');
  t.equal(parseRetryAfter('7', 0), 7000);
  t.equal(parseRetryAfter(new Date(Date.UTC(2025, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2025, 0, 1)), 30_000);
  t.equal(parseRetryAfter('soon', 0), undefined);
  t.equal(parseRetryAfter(null, 0), undefined);
});

t.test('status classes', async (t) => {
  for (const code of [200, 201, 202, 204]) t.equal(classifyStatus(code), 'delivered');
  for (const code of [undefined, 408, 429, 500, 502, 503, 504]) t.equal(classifyStatus(code), 'retry');
  for (const code of [301, 302, 400, 401, 403, 404, 410, 413, 422]) t.equal(classifyStatus(code), 'failed');
});

t.test('signature: v1 = hex HMAC-SHA-256 over "timestamp.body"; tampering, other secrets and stale timestamps fail', async (t) => {
  const secret = 'whsec_test-secret-of-thirty-two-chars';
  const body = '{"id":"k","type":"incident.opened"}';
  // Fixed vector so the docs' examples can be checked by hand: printf '1735700000.{"id":"k","type":"incident.opened"}' | openssl dgst -sha256 -hmac "$secret"
  t.equal(signWebhook(secret, 1735700000, body), `v1=${(await import('node:crypto')).createHmac('sha256', secret).update(`1735700000.${body}`).digest('hex')}`);
  const now = 1735700000;
  const sig = signWebhook(secret, now, body);
  t.ok(verifyWebhook(secret, String(now), sig, body, { nowSeconds: now }));
  t.ok(verifyWebhook(secret, String(now), `v1=deadbeef, ${sig}`, body, { nowSeconds: now + 299 }), 'any listed v1 value may match');
  t.notOk(verifyWebhook(secret, String(now), sig, body.replace('opened', 'updated'), { nowSeconds: now }), 'body changed');
  t.notOk(verifyWebhook('another-secret-of-enough-length', String(now), sig, body, { nowSeconds: now }), 'other secret');
  t.notOk(verifyWebhook(secret, String(now), sig, body, { nowSeconds: now + 301 }), 'older than 5 minutes');
  t.notOk(verifyWebhook(secret, String(now + 1), sig, body, { nowSeconds: now }), 'timestamp is signed too');
  t.notOk(verifyWebhook(secret, undefined, sig, body), 'no timestamp');
  t.notOk(verifyWebhook(secret, 'abc', sig, body), 'bad timestamp');
});

t.test('webhook URLs: http(s) only, no credentials, no fragment', async (t) => {
  t.equal(checkWebhookUrl('https://brigade.example/hooks?src=village'), 'https://brigade.example/hooks?src=village');
  t.equal(checkWebhookUrl('http://10.0.0.5:8080/in'), 'http://10.0.0.5:8080/in');
  for (const bad of ['ftp://x/y', 'file:///etc/passwd', 'javascript:alert(1)', 'brigade.example/hooks', 'https://user:pw@brigade.example/', 'https://brigade.example/#x', '', 'http://127.0.0.1:6000/x', 'https://brigade.example:10080/']) {
    t.throws(() => checkWebhookUrl(bad), { name: 'SubscriptionInputError' }, bad);
  }
});
