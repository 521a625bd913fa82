import t from 'tap';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../src/api/http-server.js';
import { siteRoutes } from '../../src/api/routes/site.js';
import { createLogger } from '../../src/log.js';
import type { Site } from '../../src/site/site.js';
import { webRoutes } from '../../src/web/web-routes.js';
import { cookieFor, TestCookieResolver } from '../live/wall-server.js';

const SITE: Site = {
  roads: [
    { id: 'main', index: 0, name: 'Main Street', lines: [[[120.2, 30.2], [120.21, 30.2]]], speedKmh: 40, roadClass: 'main', travel: 'both' },
    { id: '#1', index: 1, lines: [[[120.205, 30.2], [120.205, 30.205]]], speedKmh: 15, travel: 'forward' },
  ],
  zones: [{ id: 'Grid 3', index: 0, name: 'Grid 3', polygons: [[[[120.19, 30.19], [120.22, 30.19], [120.22, 30.21], [120.19, 30.21], [120.19, 30.19]]]] }],
  places: [{ id: 'Furniture Factory 7', index: 0, name: 'Furniture Factory 7', type: 'factory', lon: 120.205, lat: 30.2002 }],
};

async function server(site: Site | undefined): Promise<FastifyInstance> {
  const app = await createHttpServer({ log: createLogger('silent'), trustProxy: false, upgrades: {} });
  const auth = new TestCookieResolver();
  await app.register(webRoutes, { auth });
  await app.register(siteRoutes, { auth, response: { currentSite: site } });
  await app.ready();
  return app;
}

t.test('/wall: operators and admins; no session → the login page', async (t) => {
  const app = await server(SITE);
  t.teardown(() => app.close());
  const anonymous = await app.inject({ url: '/wall' });
  t.equal(anonymous.statusCode, 302);
  t.equal(anonymous.headers.location, '/login?next=%2Fwall', 'redirected to the login page, which brings them back');
  const installer = await app.inject({ url: '/wall', headers: { cookie: cookieFor('installer') } });
  t.equal(installer.statusCode, 403);
  t.equal(installer.json().code, 'GW_FORBIDDEN');
  for (const role of ['operator', 'admin'] as const) {
    const page = await app.inject({ url: '/wall', headers: { cookie: cookieFor(role) } });
    t.equal(page.statusCode, 200, role);
    t.match(page.headers['content-type'], /^text\/html/);
    t.match(page.headers['content-security-policy'], /default-src 'self'/, 'the gateway CSP applies: no inline script, nothing from elsewhere');
    t.match(page.headers['cache-control'], /private/);
  }
  const html = (await app.inject({ url: '/wall', headers: { cookie: cookieFor('operator') } })).body;
  t.notMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script');
  t.notMatch(html, /https?:\/\//, 'no external URL (no CDN, no fonts, no tiles)');
  const visible = html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  t.equal(visible, '', 'no words in the markup: every string comes from a catalogue');
});

t.test('/web assets: served with types and ETags; pages and paths outside are not', async (t) => {
  const app = await server(SITE);
  t.teardown(() => app.close());
  const script = await app.inject({ url: '/web/wall.js' });
  t.equal(script.statusCode, 200);
  t.match(script.headers['content-type'], /^text\/javascript/);
  const again = await app.inject({ url: '/web/wall.js', headers: { 'if-none-match': String(script.headers.etag) } });
  t.equal(again.statusCode, 304, 'unchanged: 304');
  t.match((await app.inject({ url: '/web/i18n/zh-CN.json' })).headers['content-type'], /^application\/json/);
  t.match((await app.inject({ url: '/web/lib/map-view.js' })).statusCode, 200);
  t.equal((await app.inject({ url: '/web/wall.html' })).statusCode, 404, 'a page only through its route and role check');
  t.equal((await app.inject({ url: '/web/%2e%2e/web-routes.ts' })).statusCode, 404, 'nothing outside the public directory');
  t.equal((await app.inject({ url: '/web/nope.js' })).statusCode, 404);
});

t.test('GET /api/site: the site as GeoJSON for the maps', async (t) => {
  const app = await server(SITE);
  t.teardown(() => app.close());
  t.equal((await app.inject({ url: '/api/site' })).statusCode, 401, 'needs a principal');
  for (const role of ['operator', 'admin', 'brigade', 'installer', 'team'] as const) {
    t.equal((await app.inject({ url: '/api/site', headers: { cookie: cookieFor(role) } })).statusCode, 200, role);
  }
  const site = (await app.inject({ url: '/api/site', headers: { cookie: cookieFor('operator') } })).json();
  t.equal(site.loaded, true);
  t.equal(site.timeZone, 'Asia/Shanghai', 'the default time zone of the site');
  t.same(site.bbox, [120.19, 30.19, 120.22, 30.21]);
  t.same(site.roads.features[0], {
    type: 'Feature',
    id: 'main',
    geometry: { type: 'MultiLineString', coordinates: [[[120.2, 30.2], [120.21, 30.2]]] },
    properties: { name: 'Main Street', roadClass: 'main', speedKmh: 40, travel: 'both' },
  });
  t.equal(site.roads.features[1].properties.travel, 'forward', 'one-way roads say so');
  t.equal(site.zones.features[0].geometry.type, 'MultiPolygon');
  t.same(site.places.features[0].geometry, { type: 'Point', coordinates: [120.205, 30.2002] });
});

t.test('GET /api/site without site files: empty, not an error (the wall still shows devices)', async (t) => {
  const app = await server(undefined);
  t.teardown(() => app.close());
  const site = (await app.inject({ url: '/api/site', headers: { cookie: cookieFor('operator') } })).json();
  t.match(site, { loaded: false, bbox: null, roads: { features: [] }, zones: { features: [] }, places: { features: [] } });
});

t.test('siteRoutes refuses a time zone that is not one', async (t) => {
  const app = await createHttpServer({ log: createLogger('silent'), trustProxy: false, upgrades: {} });
  t.teardown(() => app.close());
  await t.rejects(
    (async () => {
      await app.register(siteRoutes, { auth: new TestCookieResolver(), response: { currentSite: undefined }, timeZone: 'Mars/Olympus' });
      await app.ready();
    })(),
    /IANA time zone .* got "Mars\/Olympus"/,
  );
});

t.test('the browser code type-checks against the DOM (strict, from its JSDoc; no build step)', async (t) => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', 'src/web/tsconfig.json'], { cwd: root }).catch((err: { stdout?: string }) => err);
  t.equal(result.stdout?.trim() ?? '', '', 'npx tsc -p src/web/tsconfig.json: no type errors in src/web/public');
});
