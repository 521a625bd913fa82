import { Writable } from 'node:stream';
import t from 'tap';
import type { Test } from 'tap';
import type { FastifyRequest } from 'fastify';
import { BearerTokens, type Principal, type PrincipalResolver } from '../../src/api/auth.js';
import { createHttpServer } from '../../src/api/http-server.js';
import { pairingRoutes } from '../../src/api/routes/pairing.js';
import { createLogger } from '../../src/log.js';
import { verifySecret } from '../../src/registry/secrets.js';
import { MODEL_OF, pairingFixture } from './helpers.js';

const ADMIN = { authorization: 'Bearer admin-token-for-pairing-tests' };
const INSTALLER = { authorization: 'Bearer installer-token-for-pairing-tests' };
const SITE_INSTALLER = { authorization: 'Bearer site-installer-token-for-pairing' };
const OPERATOR = { authorization: 'Bearer operator-token-for-pairing-tests' };

/** An installer whose session is bound to a site, as installer accounts may be. */
class SiteSession implements PrincipalResolver {
  resolve(request: FastifyRequest): Principal | undefined {
    if (request.headers.authorization !== SITE_INSTALLER.authorization) return undefined;
    const principal: Principal & { site: string } = { name: 'sam', role: 'installer', site: 'othervillage' };
    return principal;
  }
}

async function harness(t: Test) {
  const f = pairingFixture(t);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const app = await createHttpServer({ log: createLogger('info', sink), trustProxy: false, upgrades: {}, rateLimitPerMinute: 100_000 });
  const bearer = new BearerTokens([
    { token: 'admin-token-for-pairing-tests', principal: { name: 'alice', role: 'admin' } },
    { token: 'installer-token-for-pairing-tests', principal: { name: 'ivan', role: 'installer' } },
    { token: 'operator-token-for-pairing-tests', principal: { name: 'olga', role: 'operator' } },
  ]);
  const site = new SiteSession();
  const auth: PrincipalResolver = { resolve: (request) => bearer.resolve(request) ?? site.resolve(request) };
  await app.register(pairingRoutes, { auth, pairing: f, mqtt: { port: 1883, tlsPort: 8883 }, now: () => f.clock.now });
  await app.ready();
  t.teardown(() => app.close());
  const batch = async (body: Record<string, unknown>) => {
    const response = await app.inject({ method: 'POST', url: '/api/pairing/claim-codes', headers: ADMIN, payload: body });
    if (response.statusCode !== 201) throw new Error(`batch not created: ${response.statusCode} ${response.body}`);
    return response.json() as { batch: { id: string }; codes: { code: string }[]; sheet: string };
  };
  return { f, app, logs, batch };
}

t.test('admin generates, lists, exports and prints; installers and operators may not', async (t) => {
  const { app, batch } = await harness(t);
  const created = await batch({ site: 'testvillage', kind: 'fire', count: 12, label: 'Factory row' });
  t.equal(created.codes.length, 12);
  t.equal(created.sheet, `/api/pairing/claim-codes/sheet.html?batch=${created.batch.id}`);

  for (const headers of [INSTALLER, OPERATOR]) {
    const refused = await app.inject({ method: 'POST', url: '/api/pairing/claim-codes', headers, payload: { site: 'testvillage', kind: 'fire', count: 1 } });
    t.equal(refused.statusCode, 403);
    t.equal(refused.json().code, 'GW_FORBIDDEN');
    t.equal((await app.inject({ method: 'GET', url: '/api/pairing/claim-codes', headers })).statusCode, 403);
    t.equal((await app.inject({ method: 'GET', url: created.sheet, headers })).statusCode, 403);
  }
  t.equal((await app.inject({ method: 'POST', url: '/api/pairing/claim-codes', payload: { site: 'testvillage', kind: 'fire', count: 1 } })).statusCode, 401);
  const tooMany = await app.inject({ method: 'POST', url: '/api/pairing/claim-codes', headers: ADMIN, payload: { site: 'testvillage', kind: 'fire', count: 501 } });
  t.equal(tooMany.statusCode, 400, 'at most 500 a batch');
  const badPrefix = await app.inject({ method: 'POST', url: '/api/pairing/claim-codes', headers: ADMIN, payload: { site: 'testvillage', kind: 'fire', count: 1, prefix: 'F1' } });
  t.equal(badPrefix.statusCode, 400);

  const list = await app.inject({ method: 'GET', url: `/api/pairing/claim-codes?batch=${created.batch.id}&limit=5`, headers: ADMIN });
  t.equal(list.statusCode, 200);
  t.equal(list.json().total, 12);
  t.same(list.json().codes.map((c: { code: string }) => c.code), created.codes.slice(0, 5).map((c) => c.code));

  const batches = await app.inject({ method: 'GET', url: '/api/pairing/claim-codes/batches?site=testvillage', headers: ADMIN });
  t.match(batches.json(), { batches: [{ id: created.batch.id, count: 12, used: 0, label: 'Factory row', createdBy: 'alice' }] });

  const csv = await app.inject({ method: 'GET', url: `/api/pairing/claim-codes/export.csv?batch=${created.batch.id}`, headers: ADMIN });
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  t.equal(csv.body.trimEnd().split('\r\n').length, 13);

  const sheet = await app.inject({ method: 'GET', url: created.sheet, headers: ADMIN });
  t.equal(sheet.statusCode, 200);
  t.match(sheet.headers['content-type'], /^text\/html/);
  t.equal(sheet.body.match(/<svg /g)?.length, 12, 'one QR per code');
  for (const code of created.codes) t.ok(sheet.body.includes(code.code));
  const missing = await app.inject({ method: 'GET', url: '/api/pairing/claim-codes/sheet.html?batch=cb_000000000000', headers: ADMIN });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'GW_CLAIM_BATCH_NOT_FOUND');
});

t.test('claim: registers the device at its place, consumes the code, returns the credentials once', async (t) => {
  const { app, f, logs, batch } = await harness(t);
  const { codes } = await batch({ site: 'testvillage', kind: 'fire', count: 3 });
  const code = codes[0]!.code;

  const lookup = await app.inject({ method: 'GET', url: `/api/pairing/claim-codes/${code.toLowerCase()}`, headers: INSTALLER });
  t.equal(lookup.statusCode, 200, lookup.body);
  t.match(lookup.json(), { code, site: 'testvillage', kind: 'fire', used: false, models: [{ id: 'emberline/d10' }] });

  const response = await app.inject({
    method: 'POST',
    url: '/api/pairing/claim',
    headers: { ...INSTALLER, host: 'gateway.village.lan:8080' },
    payload: { code, model: 'emberline/d10', lon: 120.21, lat: 30.2, name: 'Furniture factory 7, hall 2' },
  });
  t.equal(response.statusCode, 201, response.body);
  t.equal(response.headers['cache-control'], 'no-store');
  const body = response.json();
  const deviceId = `fd-${code.slice(3).replace('-', '').toLowerCase()}`;
  t.match(body, {
    device: { id: deviceId, site: 'testvillage', kind: 'fire', model: 'emberline/d10', lon: 120.21, lat: 30.2, name: 'Furniture factory 7, hall 2' },
    code,
    deviceId,
    secret: /^[\w-]{32}$/,
    mqtt: {
      host: 'gateway.village.lan',
      port: 1883,
      tlsPort: 8883,
      clientId: deviceId,
      username: deviceId,
      topicPrefix: `v1/testvillage/fire/${deviceId}`,
      publish: [`v1/testvillage/fire/${deviceId}/event`, `v1/testvillage/fire/${deviceId}/status`],
      subscribe: [`v1/testvillage/fire/${deviceId}/cmd`, `v1/testvillage/fire/${deviceId}/reply`],
      lastWill: { topic: `v1/testvillage/fire/${deviceId}/status`, payload: '{"online":false}', qos: 1, retain: false },
    },
    commissioning: { state: 'registered', claimedBy: 'ivan', code },
  });
  t.same(body.config, { host: 'gateway.village.lan', port: 1883, clientId: deviceId, username: deviceId, password: body.secret, topicPrefix: `v1/testvillage/fire/${deviceId}` });
  t.match(body.configQrSvg, /^<svg class="qr"[^>]*>.*<\/svg>$/s);

  const registered = f.registry.get(deviceId);
  t.match(registered, { id: deviceId, site: 'testvillage', lat: 30.2, lon: 120.21 });
  t.ok(await verifySecret(body.secret, f.registry.secretHash(deviceId)!), 'the registry holds the scrypt hash of the secret');
  t.notOk(logs.join('').includes(body.secret), 'the secret is never logged');

  const again = await app.inject({ method: 'GET', url: `/api/pairing/claim-codes/${code}`, headers: INSTALLER });
  t.match(again.json(), { used: true, usedBy: 'ivan', deviceId });
  const progress = await app.inject({ method: 'GET', url: `/api/pairing/devices/${deviceId}`, headers: INSTALLER });
  t.equal(progress.statusCode, 200);
  t.match(progress.json(), { deviceId, state: 'registered', testHint: /TEST/ });
  t.notOk(progress.body.includes(body.secret), 'the secret is shown only once');
  const mine = await app.inject({ method: 'GET', url: '/api/pairing/devices?mine=true', headers: INSTALLER });
  t.match(mine.json(), { devices: [{ deviceId }] });
  t.same((await app.inject({ method: 'GET', url: '/api/pairing/devices?mine=true', headers: ADMIN })).json(), { devices: [] });

  const early = await app.inject({ method: 'POST', url: `/api/pairing/devices/${deviceId}/commission`, headers: INSTALLER });
  t.equal(early.statusCode, 409);
  t.match(early.json(), { code: 'GW_PAIRING_NOT_TESTED', state: 'registered' });

  const named = await app.inject({ method: 'POST', url: '/api/pairing/claim', headers: ADMIN, payload: { code: codes[1]!.code, deviceId: 'fd-hall-3', model: 'emberline/d10', lon: 120.2, lat: 30.2 } });
  t.equal(named.statusCode, 201, 'admins may claim too, with a device id of their choice');
  t.equal(named.json().device.id, 'fd-hall-3');
  const taken = await app.inject({ method: 'POST', url: '/api/pairing/claim', headers: ADMIN, payload: { code: codes[2]!.code, deviceId: 'fd-hall-3', model: 'emberline/d10', lon: 120.2, lat: 30.2 } });
  t.equal(taken.statusCode, 409);
  t.equal(taken.json().code, 'GW_DEVICE_EXISTS');
  t.match((await app.inject({ method: 'GET', url: `/api/pairing/claim-codes/${codes[2]!.code}`, headers: ADMIN })).json(), { used: false }, 'a failed claim leaves its code free');
});

t.test('sites: where claim codes were generated, with the codes still free; for installers and admins', async (t) => {
  const { app, batch } = await harness(t);
  t.same((await app.inject({ method: 'GET', url: '/api/pairing/sites', headers: INSTALLER })).json(), { sites: [] }, 'none before the first batch');
  const { codes } = await batch({ site: 'testvillage', kind: 'fire', count: 3 });
  await batch({ site: 'othervillage', kind: 'camera', count: 2 });
  await batch({ site: 'testvillage', kind: 'lock', count: 1 });
  const claimed = await app.inject({ method: 'POST', url: '/api/pairing/claim', headers: INSTALLER, payload: { code: codes[0]!.code, model: 'emberline/d10', lon: 120.2, lat: 30.2 } });
  t.equal(claimed.statusCode, 201);
  for (const headers of [INSTALLER, ADMIN]) {
    const sites = await app.inject({ method: 'GET', url: '/api/pairing/sites', headers });
    t.equal(sites.statusCode, 200);
    t.same(sites.json(), { sites: [{ site: 'othervillage', codes: 2, unused: 2 }, { site: 'testvillage', codes: 4, unused: 3 }] });
  }
  t.equal((await app.inject({ method: 'GET', url: '/api/pairing/sites', headers: OPERATOR })).statusCode, 403);
  t.equal((await app.inject({ method: 'GET', url: '/api/pairing/sites' })).statusCode, 401);
});

t.test('claim errors: typo, unknown, used twice, wrong site, model of another kind, roles', async (t) => {
  const { app, f, batch } = await harness(t);
  const { codes } = await batch({ site: 'testvillage', kind: 'fire', count: 4 });
  const claim = (payload: Record<string, unknown>, headers: Record<string, string> = INSTALLER) =>
    app.inject({ method: 'POST', url: '/api/pairing/claim', headers, payload: { model: 'emberline/d10', lon: 120.2, lat: 30.2, ...payload } });

  const code = codes[0]!.code;
  const last = code.at(-1)!;
  const typo = await claim({ code: code.slice(0, -1) + (last === 'X' ? 'Y' : 'X') });
  t.equal(typo.statusCode, 400);
  t.match(typo.json(), { code: 'GW_CLAIM_CODE_INVALID', problem: 'typo', message: /typo/ });

  const otherGateway = f.codes.createBatch({ site: 'testvillage', kind: 'fire', count: 1, by: 'x', now: 0 }).codes[0]!.code;
  f.db.prepare('DELETE FROM pairing_claim_codes WHERE code = ?').run(otherGateway.replace(/-/g, ''));
  const unknown = await claim({ code: otherGateway });
  t.equal(unknown.statusCode, 404);
  t.match(unknown.json(), { statusCode: 404, code: 'GW_CLAIM_UNKNOWN', error: 'Not Found', message: new RegExp(otherGateway) });

  const operator = await claim({ code }, OPERATOR);
  t.equal(operator.statusCode, 403, 'an operator cannot claim');
  t.equal((await claim({ code }, {})).statusCode, 401);

  const wrongKind = await claim({ code, model: MODEL_OF.camera });
  t.equal(wrongKind.statusCode, 400);
  t.match(wrongKind.json(), { code: 'GW_MODEL_KIND_MISMATCH', modelKind: 'camera', codeKind: 'fire' });
  const unknownModel = await claim({ code, model: 'acme/none' });
  t.equal(unknownModel.statusCode, 400);
  t.equal(unknownModel.json().code, 'GW_UNKNOWN_MODEL');

  const wrongSite = await claim({ code, site: 'othervillage' });
  t.equal(wrongSite.statusCode, 409);
  t.match(wrongSite.json(), { code: 'GW_CLAIM_WRONG_SITE', codeSite: 'testvillage', site: 'othervillage', from: 'request' });
  const sessionSite = await claim({ code }, SITE_INSTALLER);
  t.equal(sessionSite.statusCode, 409);
  t.match(sessionSite.json(), { code: 'GW_CLAIM_WRONG_SITE', site: 'othervillage', from: 'session' });
  t.equal((await claim({ code: codes[1]!.code, model: 'emberline/d10', lon: 200, lat: 0 })).statusCode, 400, 'a place off the map');

  f.clock.now = Date.UTC(2025, 5, 1, 9, 30);
  const first = await claim({ code, site: 'testvillage' });
  t.equal(first.statusCode, 201, first.body);
  const twice = await claim({ code, deviceId: 'fd-second' });
  t.equal(twice.statusCode, 409);
  t.match(twice.json(), {
    code: 'GW_CLAIM_USED',
    usedAt: f.clock.now,
    usedBy: 'ivan',
    deviceId: first.json().device.id,
    message: new RegExp(`already used on 2025-06-01T09:30:00.000Z by ivan for device ${first.json().device.id}`),
  });
  t.equal(f.registry.get('fd-second'), undefined);

  const racing = await Promise.all([claim({ code: codes[2]!.code, deviceId: 'race-a' }), claim({ code: codes[2]!.code, deviceId: 'race-b' })]);
  t.same(racing.map((r) => r.statusCode).sort(), [201, 409], 'two claims of one code at once: one wins');
  t.equal([f.registry.get('race-a'), f.registry.get('race-b')].filter(Boolean).length, 1);
});
