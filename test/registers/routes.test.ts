import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { BearerTokens } from '../../src/api/auth.js';
import { createHttpServer } from '../../src/api/http-server.js';
import { registerRoutes } from '../../src/api/routes/registers.js';
import { createLogger } from '../../src/log.js';
import { CLEAR_FORMS, ID_NUMBER, ID_NUMBER_MASKED, UID, protectCardFor, registersFixture, type Fixture } from './helpers.js';

const ADMIN = { authorization: 'Bearer admin-token-for-tests' };
const OPERATOR = { authorization: 'Bearer operator-token-for-tests' };
const NORTH_HASH = protectCardFor('north')(ID_NUMBER).hash;

interface Harness {
  app: FastifyInstance;
  fixture: Fixture;
  /** Every response body and log line so far. */
  seen(): string;
  logs(): string;
  call(options: InjectOptions): Promise<LightMyRequestResponse>;
}

async function harness(t: { teardown(fn: () => unknown): void }): Promise<Harness> {
  const fixture = registersFixture(t);
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const app = await createHttpServer({ log: createLogger('debug', sink), trustProxy: false, upgrades: {}, rateLimitPerMinute: 100_000 });
  const auth = new BearerTokens([
    { token: 'admin-token-for-tests', principal: { name: 'alice', role: 'admin' } },
    { token: 'operator-token-for-tests', principal: { name: 'olga', role: 'operator' } },
  ]);
  await app.register(registerRoutes, { registers: fixture.registers, auth });
  await app.ready();
  t.teardown(() => app.close());
  const bodies: string[] = [];
  return {
    app,
    fixture,
    seen: () => [...bodies, ...logLines].join('\n'),
    logs: () => logLines.join('\n'),
    call: async (options) => {
      const response = await app.inject(options);
      bodies.push(JSON.stringify(response.headers), response.body);
      return response;
    },
  };
}

const roomPath = (site: string, room: string) => `/api/registers/room-cards/${site}/${encodeURIComponent(room)}`;

t.test('room cards: admin adds (201, then 200 on update), operator lists, admin removes', async (t) => {
  const { call } = await harness(t);
  const added = await call({ method: 'POST', url: roomPath('north', '3-201'), headers: ADMIN, payload: { card: ID_NUMBER, tenantName: 'Wang Fang', validUntil: 1_900_000_000_000 } });
  t.equal(added.statusCode, 201, added.body);
  t.match(added.json(), { site: 'north', room: '3-201', cardHash: NORTH_HASH, cardMasked: ID_NUMBER_MASKED, tenantName: 'Wang Fang', validUntil: 1_900_000_000_000 });
  const updated = await call({ method: 'POST', url: roomPath('north', '3-201'), headers: ADMIN, payload: { card: ID_NUMBER, validUntil: null } });
  t.equal(updated.statusCode, 200);
  t.equal(updated.json().validUntil, null);

  const listed = await call({ method: 'GET', url: roomPath('north', '3-201'), headers: OPERATOR });
  t.equal(listed.statusCode, 200);
  t.same(listed.json().cards.map((c: { cardHash: string }) => c.cardHash), [NORTH_HASH]);

  const removed = await call({ method: 'DELETE', url: `${roomPath('north', '3-201')}/${NORTH_HASH}`, headers: ADMIN });
  t.equal(removed.statusCode, 204);
  const again = await call({ method: 'DELETE', url: `${roomPath('north', '3-201')}/${NORTH_HASH}`, headers: ADMIN });
  t.equal(again.statusCode, 404);
  t.match(again.json(), { statusCode: 404, code: 'GW_ROOM_CARD_NOT_FOUND', error: 'Not Found' });
});

t.test('a room with a slash or a space travels URL-encoded in the path', async (t) => {
  const { call, fixture } = await harness(t);
  const added = await call({ method: 'POST', url: roomPath('north', 'B/2 01'), headers: ADMIN, payload: { card: UID } });
  t.equal(added.statusCode, 201, added.body);
  t.equal(added.json().room, 'B/2 01');
  t.equal(fixture.registers.isCardRegisteredToRoom('north', 'B/2 01', protectCardFor('north')(UID).hash, Date.now()), true);
});

t.test('a bad card is a 400 in fastify shape that does not repeat it', async (t) => {
  const { call } = await harness(t);
  const response = await call({ method: 'POST', url: roomPath('north', '1'), headers: ADMIN, payload: { card: '33010619900101123' } });
  t.equal(response.statusCode, 400);
  t.same(response.json(), { statusCode: 400, code: 'GW_REGISTER_INVALID_ENTRY', error: 'Bad Request', message: 'card: expected 18-character ID number or 8–20 hex UID' });
  const schema = await call({ method: 'POST', url: '/api/registers/blacklist', headers: ADMIN, payload: { site: 'north', card: ID_NUMBER } });
  t.equal(schema.statusCode, 400, 'schema: reason missing');
  t.notOk(schema.body.includes(ID_NUMBER));
  t.notOk(response.body.includes('33010619900101123'));
});

t.test('blacklist: add, list, remove', async (t) => {
  const { call } = await harness(t);
  const added = await call({ method: 'POST', url: '/api/registers/blacklist', headers: ADMIN, payload: { site: 'north', card: ID_NUMBER, reason: 'fake tenant' } });
  t.equal(added.statusCode, 201, added.body);
  t.match(added.json(), { site: 'north', cardHash: NORTH_HASH, cardMasked: ID_NUMBER_MASKED, reason: 'fake tenant', addedBy: 'alice' });
  const listed = await call({ method: 'GET', url: '/api/registers/blacklist?site=north', headers: OPERATOR });
  t.equal(listed.json().entries.length, 1);
  t.equal((await call({ method: 'GET', url: '/api/registers/blacklist?site=south', headers: OPERATOR })).json().entries.length, 0);
  t.equal((await call({ method: 'DELETE', url: `/api/registers/blacklist/north/${NORTH_HASH}`, headers: ADMIN })).statusCode, 204);
  const gone = await call({ method: 'DELETE', url: `/api/registers/blacklist/north/${NORTH_HASH}`, headers: ADMIN });
  t.match(gone.json(), { statusCode: 404, code: 'GW_CARD_NOT_BLACKLISTED' });
});

t.test('stolen tags: report, search, recover', async (t) => {
  const { call, fixture, logs } = await harness(t);
  const reported = await call({ method: 'POST', url: '/api/registers/stolen-tags', headers: ADMIN, payload: { tag: 't0001e240', ownerName: 'Zhang Wei', ownerContact: '13800001111', note: 'red' } });
  t.equal(reported.statusCode, 201, reported.body);
  t.equal(reported.json().tag, 'T0001E240');
  t.equal(fixture.registers.isStolen('T0001E240'), true);
  const found = await call({ method: 'GET', url: '/api/registers/stolen-tags?search=zhang', headers: OPERATOR });
  t.match(found.json(), { total: 1, tags: [{ tag: 'T0001E240', ownerContact: '13800001111' }] });
  t.equal((await call({ method: 'GET', url: '/api/registers/stolen-tags?search=nobody', headers: OPERATOR })).json().total, 0);
  t.equal((await call({ method: 'POST', url: '/api/registers/stolen-tags/T0001E240/recover', headers: ADMIN })).statusCode, 204);
  const again = await call({ method: 'POST', url: '/api/registers/stolen-tags/T0001E240/recover', headers: ADMIN });
  t.match(again.json(), { statusCode: 404, code: 'GW_TAG_NOT_STOLEN' });
  t.equal((await call({ method: 'POST', url: '/api/registers/stolen-tags/X123/recover', headers: ADMIN })).statusCode, 400, 'tag id checked by schema');
  t.ok(logs().includes('tag reported stolen'), 'logs captured');
  t.notOk(logs().includes('13800001111') || logs().includes('Zhang Wei'), "the owner's name and contact are never logged");
});

t.test('audit lists the changes with the principal as actor', async (t) => {
  const { call } = await harness(t);
  await call({ method: 'POST', url: roomPath('north', '5'), headers: ADMIN, payload: { card: ID_NUMBER } });
  await call({ method: 'POST', url: '/api/registers/blacklist', headers: ADMIN, payload: { site: 'north', card: ID_NUMBER, reason: 'fake tenant' } });
  const audit = await call({ method: 'GET', url: '/api/registers/audit?register=room-cards', headers: OPERATOR });
  t.equal(audit.statusCode, 200);
  t.match(audit.json().entries, [{ actor: 'alice', register: 'room-cards', action: 'add', site: 'north', key: NORTH_HASH, detail: { room: '5', cardMasked: ID_NUMBER_MASKED } }]);
  t.equal((await call({ method: 'GET', url: '/api/registers/audit', headers: OPERATOR })).json().entries.length, 2);
  t.equal((await call({ method: 'GET', url: '/api/registers/audit?register=nope', headers: OPERATOR })).statusCode, 400);
});

t.test('CSV: text/csv import reports by line; export is text/csv an operator may fetch', async (t) => {
  const { call } = await harness(t);
  const payload = `site,room,card,tenant_name\r\nnorth,1,${ID_NUMBER},"Wang, Fang"\r\nnorth,2,nope,\r\n`;
  const imported = await call({ method: 'POST', url: '/api/registers/room-cards/import.csv', headers: { ...ADMIN, 'content-type': 'text/csv; charset=utf-8' }, payload });
  t.equal(imported.statusCode, 200, imported.body);
  t.same(imported.json(), { imported: 1, errors: [{ line: 3, message: 'card: expected 18-character ID number or 8–20 hex UID' }] });
  const exported = await call({ method: 'GET', url: '/api/registers/room-cards/export.csv?site=north', headers: OPERATOR });
  t.equal(exported.statusCode, 200);
  t.match(exported.headers['content-type'], /^text\/csv/);
  t.match(exported.headers['content-disposition'], 'room-cards.csv');
  t.equal(exported.body.split('\r\n')[1]?.split(',').slice(0, 5).join(','), `north,1,${ID_NUMBER_MASKED},${NORTH_HASH},"Wang`);

  const tags = await call({ method: 'POST', url: '/api/registers/stolen-tags/import.csv', headers: { ...ADMIN, 'content-type': 'text/csv' }, payload: 'tag,owner_name,owner_contact\nT0000000A,Li,139\n' });
  t.same(tags.json(), { imported: 1, errors: [] });
  t.match((await call({ method: 'GET', url: '/api/registers/stolen-tags/export.csv', headers: OPERATOR })).body, /^tag,.*\r\nT0000000A,Li,139,/);
  t.equal((await call({ method: 'GET', url: '/api/registers/blacklist/export.csv', headers: OPERATOR })).body, 'site,card_masked,card_hash,reason,added_at,added_by\r\n');
  const json = await call({ method: 'POST', url: '/api/registers/blacklist/import.csv', headers: ADMIN, payload: { file: 'x' } });
  t.equal(json.statusCode, 400, 'a JSON body other than {csv} is not a CSV file');
});

t.test('roles: no token is 401, an operator may read but not write', async (t) => {
  const { call, fixture } = await harness(t);
  const writes: InjectOptions[] = [
    { method: 'POST', url: roomPath('north', '1'), payload: { card: ID_NUMBER } },
    { method: 'DELETE', url: `${roomPath('north', '1')}/${NORTH_HASH}` },
    { method: 'POST', url: '/api/registers/blacklist', payload: { site: 'north', card: ID_NUMBER, reason: 'x' } },
    { method: 'DELETE', url: `/api/registers/blacklist/north/${NORTH_HASH}` },
    { method: 'POST', url: '/api/registers/stolen-tags', payload: { tag: 'T00000001', ownerName: 'a', ownerContact: 'b' } },
    { method: 'POST', url: '/api/registers/stolen-tags/T00000001/recover' },
    ...['room-cards', 'blacklist', 'stolen-tags'].map((register): InjectOptions => ({
      method: 'POST',
      url: `/api/registers/${register}/import.csv`,
      headers: { 'content-type': 'text/csv' },
      payload: 'site,room,card\nnorth,1,04A1B2C3\n',
    })),
  ];
  const reads: InjectOptions[] = [
    { method: 'GET', url: roomPath('north', '1') },
    { method: 'GET', url: '/api/registers/blacklist' },
    { method: 'GET', url: '/api/registers/stolen-tags' },
    { method: 'GET', url: '/api/registers/audit' },
    ...['room-cards', 'blacklist', 'stolen-tags'].map((register): InjectOptions => ({ method: 'GET', url: `/api/registers/${register}/export.csv` })),
  ];
  for (const request of [...writes, ...reads]) {
    const anonymous = await call(request);
    t.equal(anonymous.statusCode, 401, `${request.method} ${request.url} without a token`);
    t.equal(anonymous.json().code, 'GW_UNAUTHORIZED');
  }
  for (const request of writes) {
    const response = await call({ ...request, headers: { ...request.headers, ...OPERATOR } });
    t.equal(response.statusCode, 403, `operator ${request.method} ${request.url}`);
    t.equal(response.json().code, 'GW_FORBIDDEN');
  }
  for (const request of reads) t.equal((await call({ ...request, headers: OPERATOR })).statusCode, 200, `operator ${request.method} ${request.url}`);
  t.same(fixture.registers.audit(), [], 'nothing changed');
});

t.test('every route is in the OpenAPI document with its schemas', async (t) => {
  const { call } = await harness(t);
  const document = (await call({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>> };
  const paths = Object.keys(document.paths).filter((path) => path.startsWith('/api/registers'));
  t.same(paths.sort(), [
    '/api/registers/audit',
    '/api/registers/blacklist',
    '/api/registers/blacklist/export.csv',
    '/api/registers/blacklist/import.csv',
    '/api/registers/blacklist/{site}/{cardHash}',
    '/api/registers/room-cards',
    '/api/registers/room-cards/export.csv',
    '/api/registers/room-cards/import.csv',
    '/api/registers/room-cards/{site}/{room}',
    '/api/registers/room-cards/{site}/{room}/{cardHash}',
    '/api/registers/stolen-tags',
    '/api/registers/stolen-tags/export.csv',
    '/api/registers/stolen-tags/import.csv',
    '/api/registers/stolen-tags/{tag}/recover',
  ]);
  t.ok(document.paths['/api/registers/room-cards/import.csv']?.post?.requestBody?.content['text/csv'], 'import takes text/csv');
  t.ok(document.paths['/api/registers/room-cards/import.csv']?.post?.requestBody?.content['application/json'], 'and JSON {csv} (pages with a session)');
});

t.test('the clear card number appears in no response, header or log line, and in no SQLite byte', async (t) => {
  const { call, seen, fixture } = await harness(t);
  await call({ method: 'POST', url: roomPath('north', '1'), headers: ADMIN, payload: { card: ID_NUMBER, tenantName: 'Wang Fang' } });
  await call({ method: 'POST', url: roomPath('north', '2'), headers: ADMIN, payload: { card: '330106 19900101 123x' } });
  await call({ method: 'POST', url: roomPath('north', '3'), headers: ADMIN, payload: { card: '9f8e7d6c5b4a', tenantName: `Li ${ID_NUMBER}` } });
  await call({ method: 'POST', url: '/api/registers/blacklist', headers: ADMIN, payload: { site: 'north', card: UID, reason: 'lost' } });
  await call({ method: 'POST', url: '/api/registers/room-cards/import.csv', headers: { ...ADMIN, 'content-type': 'text/csv' }, payload: `site,room,card\nnorth,4,110101198001010019\nnorth,5,${ID_NUMBER}0\n` });
  await call({ method: 'POST', url: '/api/registers/blacklist/import.csv', headers: { ...ADMIN, 'content-type': 'text/csv' }, payload: `site,card,reason\nnorth,04a1b2c3,${ID_NUMBER}\n` });
  for (const url of ['/api/registers/room-cards/north/1', '/api/registers/blacklist', '/api/registers/audit', '/api/registers/room-cards/export.csv', '/api/registers/blacklist/export.csv']) {
    t.equal((await call({ method: 'GET', url, headers: ADMIN })).statusCode, 200, url);
  }
  t.equal(fixture.registers.roomCards('north', '4').length, 1, 'the imports ran');
  const everything = `${seen()}\n${fixture.fileBytes()}`;
  t.ok(everything.includes(ID_NUMBER_MASKED) && everything.includes('card registered to room'), 'responses and logs were captured');
  for (const clear of CLEAR_FORMS) t.notOk(everything.includes(clear), `${clear} nowhere`);
});

t.test('the admin page: every room card listed with search and paging, by site, room and first added', async (t) => {
  const { call } = await harness(t);
  await call({ method: 'POST', url: roomPath('north', '3-201'), headers: ADMIN, payload: { card: ID_NUMBER, tenantName: 'Wang Fang' } });
  await call({ method: 'POST', url: roomPath('north', '1-101'), headers: ADMIN, payload: { card: UID, tenantName: 'Li_Na 50%' } });
  await call({ method: 'POST', url: roomPath('south', '1-101'), headers: ADMIN, payload: { card: ID_NUMBER } });
  const all = await call({ method: 'GET', url: '/api/registers/room-cards', headers: OPERATOR });
  t.equal(all.statusCode, 200, all.body);
  t.equal(all.json().total, 3);
  t.same(all.json().cards.map((c: { site: string; room: string }) => `${c.site}/${c.room}`), ['north/1-101', 'north/3-201', 'south/1-101']);
  t.match(all.json().cards[1], { site: 'north', room: '3-201', cardHash: NORTH_HASH, cardMasked: ID_NUMBER_MASKED, tenantName: 'Wang Fang', addedBy: 'alice' });
  const query = async (q: string) => (await call({ method: 'GET', url: `/api/registers/room-cards?${q}`, headers: ADMIN })).json() as { total: number; cards: { room: string; site: string }[] };
  t.same((await query('site=north')).cards.map((c) => c.room), ['1-101', '3-201'], 'by site');
  t.same((await query('search=wang')).cards.map((c) => c.room), ['3-201'], 'tenant, case-insensitive');
  t.same((await query('search=1234')).cards.map((c) => `${c.site}/${c.room}`), ['north/3-201', 'south/1-101'], 'the last digits of the masked card');
  t.same((await query('search=3-2')).cards.map((c) => c.room), ['3-201'], 'the room');
  t.same((await query('search=_')).cards.map((c) => c.room), ['1-101'], 'LIKE wildcards are taken literally');
  t.same((await query('search=%25')).cards.map((c) => c.room), ['1-101']);
  const page = await query('limit=1&offset=1');
  t.same([page.total, page.cards.map((c) => c.room)], [3, ['3-201']], 'paged, with the total');
  t.equal((await call({ method: 'GET', url: '/api/registers/room-cards?site=NOT%20A%20SITE', headers: ADMIN })).statusCode, 400);
});

t.test('the admin page: a room card and a blacklist entry changed by hash, without the card', async (t) => {
  const { call, fixture } = await harness(t);
  await call({ method: 'POST', url: roomPath('north', '3-201'), headers: ADMIN, payload: { card: ID_NUMBER, tenantName: 'Wang Fang', validUntil: 1_900_000_000_000 } });
  const path = `${roomPath('north', '3-201')}/${NORTH_HASH}`;
  const patched = await call({ method: 'PATCH', url: path, headers: ADMIN, payload: { tenantName: 'Wang Li' } });
  t.equal(patched.statusCode, 200, patched.body);
  t.match(patched.json(), { tenantName: 'Wang Li', validUntil: 1_900_000_000_000, cardMasked: ID_NUMBER_MASKED }, 'an absent field stays');
  t.match((await call({ method: 'PATCH', url: path, headers: ADMIN, payload: { validUntil: null, tenantName: '' } })).json(), { tenantName: null, validUntil: null });
  t.equal((await call({ method: 'PATCH', url: path, headers: ADMIN, payload: {} })).statusCode, 400, 'something must change');
  t.equal((await call({ method: 'PATCH', url: path, headers: ADMIN, payload: { tenantName: ID_NUMBER } })).statusCode, 400, 'an ID number is not a name');
  t.equal((await call({ method: 'PATCH', url: path, headers: OPERATOR, payload: { tenantName: 'x' } })).statusCode, 403);
  const missing = await call({ method: 'PATCH', url: `${roomPath('north', '9')}/${NORTH_HASH}`, headers: ADMIN, payload: { tenantName: 'x' } });
  t.match([missing.statusCode, missing.json().code], [404, 'GW_ROOM_CARD_NOT_FOUND']);
  t.same(fixture.registers.roomCards('north', '3-201').length, 1);

  await call({ method: 'POST', url: '/api/registers/blacklist', headers: ADMIN, payload: { site: 'north', card: ID_NUMBER, reason: 'lost' } });
  await call({ method: 'POST', url: '/api/registers/blacklist', headers: ADMIN, payload: { site: 'north', card: UID, reason: 'stolen from 3-201' } });
  const reason = await call({ method: 'PATCH', url: `/api/registers/blacklist/north/${NORTH_HASH}`, headers: ADMIN, payload: { reason: 'reported lost at the office' } });
  t.equal(reason.statusCode, 200, reason.body);
  t.match(reason.json(), { site: 'north', cardHash: NORTH_HASH, cardMasked: ID_NUMBER_MASKED, reason: 'reported lost at the office', addedBy: 'alice' });
  t.equal((await call({ method: 'PATCH', url: `/api/registers/blacklist/south/${NORTH_HASH}`, headers: ADMIN, payload: { reason: 'x' } })).statusCode, 404);
  t.equal((await call({ method: 'PATCH', url: `/api/registers/blacklist/north/${NORTH_HASH}`, headers: OPERATOR, payload: { reason: 'x' } })).statusCode, 403);
  const searched = (await call({ method: 'GET', url: '/api/registers/blacklist?search=office', headers: OPERATOR })).json();
  t.same(searched.entries.map((e: { cardHash: string }) => e.cardHash), [NORTH_HASH], 'blacklist search: the reason');
  t.equal((await call({ method: 'GET', url: '/api/registers/blacklist?site=north&search=**C3', headers: OPERATOR })).json().entries.length, 1, 'and the masked card (******C3)');

  const updates = fixture.registers.audit().filter((e) => e.action === 'update');
  t.same(
    updates.map((e) => [e.register, e.detail['via']]),
    [['blacklist', 'api'], ['room-cards', 'api'], ['room-cards', 'api']],
    'each change is audited',
  );
});

t.test('the admin page: CSV import as JSON {csv}, which a session page can send', async (t) => {
  const { call } = await harness(t);
  const csv = `site,room,card\r\nnorth,1,${UID}\r\nnorth,2,123\r\n`;
  const imported = await call({ method: 'POST', url: '/api/registers/room-cards/import.csv', headers: ADMIN, payload: { csv } });
  t.equal(imported.statusCode, 200, imported.body);
  t.same(imported.json(), { imported: 1, errors: [{ line: 3, message: 'card: expected 18-character ID number or 8–20 hex UID' }] });
  t.equal((await call({ method: 'POST', url: '/api/registers/room-cards/import.csv', headers: OPERATOR, payload: { csv } })).statusCode, 403);
});
