import { Writable } from 'node:stream';
import t from 'tap';
import type { Test } from 'tap';
import { BearerTokens } from '../../src/api/auth.js';
import { createHttpServer } from '../../src/api/http-server.js';
import { brigadeRoutes } from '../../src/api/routes/brigade.js';
import { createLogger } from '../../src/log.js';
import { incident, notifyFixture, startReceiver, waitFor } from './helpers.js';

const ADMIN = { authorization: 'Bearer admin-token-for-brigade-tests' };
const OPERATOR = { authorization: 'Bearer operator-token-for-brigade-tests' };
const BRIGADE = { authorization: 'Bearer brigade-token-for-brigade-tests' };

async function harness(t: Test) {
  const f = notifyFixture(t);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const app = await createHttpServer({ log: createLogger('debug', sink), trustProxy: false, upgrades: {}, rateLimitPerMinute: 100_000 });
  const auth = new BearerTokens([
    { token: 'admin-token-for-brigade-tests', principal: { name: 'alice', role: 'admin' } },
    { token: 'operator-token-for-brigade-tests', principal: { name: 'olga', role: 'operator' } },
    { token: 'brigade-token-for-brigade-tests', principal: { name: 'station-1', role: 'brigade' } },
  ]);
  await app.register(brigadeRoutes, { subscriptions: f.subscriptions, outbox: f.outbox, auth });
  await app.ready();
  t.teardown(() => app.close());
  return { f, app, logs };
}

t.test('subscriptions: admin creates (secret once), lists, reads, changes, rotates, deletes', async (t) => {
  const { app, logs } = await harness(t);
  const created = await app.inject({ method: 'POST', url: '/api/brigade/subscriptions', headers: ADMIN, payload: { name: 'Station 1', url: 'https://brigade.example/hooks', kinds: ['fire'], severities: ['red'] } });
  t.equal(created.statusCode, 201, created.body);
  const { subscription, secret } = created.json() as { subscription: { id: string }; secret: string };
  t.match(subscription, { id: /^bs_[0-9a-f]{16}$/, name: 'Station 1', url: 'https://brigade.example/hooks', kinds: ['fire'], severities: ['red'], enabled: true });
  t.match(secret, /^whsec_/);

  const given = await app.inject({ method: 'POST', url: '/api/brigade/subscriptions', headers: ADMIN, payload: { name: 'Station 2', url: 'http://10.1.2.3:8080/in', secret: 'their-own-shared-secret-0123456789' } });
  t.equal(given.statusCode, 201);
  t.equal(given.json().secret, 'their-own-shared-secret-0123456789');

  const list = await app.inject({ method: 'GET', url: '/api/brigade/subscriptions', headers: ADMIN });
  t.equal(list.statusCode, 200);
  t.equal(list.json().subscriptions.length, 2);
  const one = await app.inject({ method: 'GET', url: `/api/brigade/subscriptions/${subscription.id}`, headers: ADMIN });
  t.equal(one.statusCode, 200);
  for (const body of [list.body, one.body, logs.join('\n')]) {
    t.notOk(body.includes(secret) || body.includes('their-own-shared-secret'), 'the secret is never shown again nor logged');
  }

  const patched = await app.inject({ method: 'PATCH', url: `/api/brigade/subscriptions/${subscription.id}`, headers: ADMIN, payload: { enabled: false, severities: ['red', 'orange'] } });
  t.equal(patched.statusCode, 200, patched.body);
  t.match(patched.json(), { enabled: false, severities: ['red', 'orange'] });

  const rotated = await app.inject({ method: 'POST', url: `/api/brigade/subscriptions/${subscription.id}/secret`, headers: ADMIN });
  t.equal(rotated.statusCode, 200);
  t.not(rotated.json().secret, secret);

  t.equal((await app.inject({ method: 'DELETE', url: `/api/brigade/subscriptions/${subscription.id}`, headers: ADMIN })).statusCode, 204);
  const gone = await app.inject({ method: 'DELETE', url: `/api/brigade/subscriptions/${subscription.id}`, headers: ADMIN });
  t.equal(gone.statusCode, 404);
  t.match(gone.json(), { code: 'GW_BRIGADE_SUBSCRIPTION_NOT_FOUND' });
});

t.test('validation: schemas and URL rules', async (t) => {
  const { app } = await harness(t);
  const post = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/brigade/subscriptions', headers: ADMIN, payload });
  t.equal((await post({ name: 'x' })).statusCode, 400, 'url required');
  t.equal((await post({ name: 'x', url: 'https://a.example/', severities: ['purple'] })).statusCode, 400);
  t.equal((await post({ name: 'x', url: 'https://a.example/', kinds: [] })).statusCode, 400);
  t.equal((await post({ name: 'x', url: 'https://a.example/', secret: 'short' })).statusCode, 400);
  t.equal((await post({ name: 'x', url: 'https://a.example/', extra: 1 })).statusCode, 400);
  const ftp = await post({ name: 'x', url: 'ftp://a.example/file' });
  t.equal(ftp.statusCode, 400);
  t.match(ftp.json(), { code: 'GW_BRIGADE_INVALID_SUBSCRIPTION', message: /http:\/\/ or https:\/\// });
  t.equal((await app.inject({ method: 'GET', url: '/api/brigade/subscriptions/not-an-id', headers: ADMIN })).statusCode, 400);
  t.equal((await app.inject({ method: 'GET', url: '/api/brigade/deliveries?status=lost', headers: ADMIN })).statusCode, 400);
  t.equal((await app.inject({ method: 'PATCH', url: '/api/brigade/subscriptions/bs_0000000000000000', headers: ADMIN, payload: {} })).statusCode, 400);
});

t.test('roles: only admin', async (t) => {
  const { app } = await harness(t);
  const calls = [
    { method: 'GET', url: '/api/brigade/subscriptions' },
    { method: 'POST', url: '/api/brigade/subscriptions', payload: { name: 'x', url: 'https://a.example/' } },
    { method: 'GET', url: '/api/brigade/deliveries' },
    { method: 'POST', url: '/api/brigade/deliveries/1/retry' },
  ] as const;
  for (const call of calls) {
    t.equal((await app.inject({ ...call })).statusCode, 401, `${call.method} ${call.url} without a token`);
    for (const headers of [OPERATOR, BRIGADE]) t.equal((await app.inject({ ...call, headers })).statusCode, 403, `${call.method} ${call.url} as ${headers.authorization.split(' ')[1]}`);
  }
});

t.test('deliveries: listed with attempts and filters; retried by hand', async (t) => {
  const { f, app } = await harness(t);
  let secret = '';
  const receiver = await startReceiver(t, () => secret);
  receiver.respond = (_r, count) => (count === 1 ? { status: 400 } : { status: 204 });
  const created = await app.inject({ method: 'POST', url: '/api/brigade/subscriptions', headers: ADMIN, payload: { name: 'local', url: receiver.url } });
  secret = created.json().secret;
  const subscriptionId = created.json().subscription.id as string;
  const one = incident();
  f.outbox.brigadeTold(one, 'alarm', (i) => f.subscriptions.matching(i));
  f.dispatcher().start();
  await waitFor(() => f.outbox.counts().failed === 1, 'the refusal');

  const failed = await app.inject({ method: 'GET', url: `/api/brigade/deliveries?subscriptionId=${subscriptionId}&incidentId=${one.id}&status=failed`, headers: ADMIN });
  t.equal(failed.statusCode, 200, failed.body);
  const [delivery] = failed.json().deliveries as { id: number; idempotencyKey: string; attemptLog: unknown[] }[];
  t.match(delivery, { subscriptionId, incidentId: one.id, type: 'incident.opened', status: 'failed', attempts: 1, lastStatusCode: 400, attemptLog: [{ statusCode: 400, outcome: 'failed', error: /HTTP 400/ }] });
  t.equal((await app.inject({ method: 'GET', url: '/api/brigade/deliveries?status=delivered', headers: ADMIN })).json().deliveries.length, 0);

  const retried = await app.inject({ method: 'POST', url: `/api/brigade/deliveries/${delivery!.id}/retry`, headers: ADMIN });
  t.equal(retried.statusCode, 200, retried.body);
  t.match(retried.json(), { status: 'pending', attempts: 0 });
  await waitFor(() => f.outbox.get(delivery!.id)?.status === 'delivered', 'the retry');
  const read = await app.inject({ method: 'GET', url: `/api/brigade/deliveries/${delivery!.id}`, headers: ADMIN });
  t.match(read.json(), { status: 'delivered', attemptLog: [{ outcome: 'delivered', statusCode: 204 }, { outcome: 'failed', statusCode: 400 }] });
  t.same(new Set(receiver.requests.map((r) => r.key)), new Set([delivery!.idempotencyKey]), 'same key both times');

  const again = await app.inject({ method: 'POST', url: `/api/brigade/deliveries/${delivery!.id}/retry`, headers: ADMIN });
  t.equal(again.statusCode, 409);
  t.match(again.json(), { code: 'GW_BRIGADE_ALREADY_DELIVERED' });
  t.equal((await app.inject({ method: 'POST', url: '/api/brigade/deliveries/99999/retry', headers: ADMIN })).statusCode, 404);
  t.equal((await app.inject({ method: 'GET', url: '/api/brigade/deliveries/99999', headers: ADMIN })).statusCode, 404);
});

t.test('every brigade route is in the OpenAPI document', async (t) => {
  const { app } = await harness(t);
  const paths = Object.keys((app.swagger() as { paths: Record<string, unknown> }).paths).filter((p) => p.startsWith('/api/brigade'));
  t.same(paths.sort(), [
    '/api/brigade/deliveries',
    '/api/brigade/deliveries/{id}',
    '/api/brigade/deliveries/{id}/retry',
    '/api/brigade/subscriptions',
    '/api/brigade/subscriptions/{id}',
    '/api/brigade/subscriptions/{id}/secret',
  ]);
});
