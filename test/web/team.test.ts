import t from 'tap';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import { nextMessage, startGateway, waitFor, type Harness } from '../support/gateway-harness.js';
import { launchChromium } from './chromium.js';
import { startProxy } from './cuttable-proxy.js';
import { at, registerAt, tracker, writeSite } from './village.js';

/**
 * The patrol team's phone page (/team, docs/team-page.md) in Debian's Chromium at a phone's size,
 * against a gateway started here with real aedes and SQLite: an order dispatched by a real MQTT
 * fire alarm, accepted on the page beside the tracker, arrived, resolved with a note; Chinese by
 * default, English on switch; errors and a lost network shown; every other role kept out.
 */

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../src/web/public/i18n/${name}.json`, import.meta.url), 'utf8')) as Record<string, string>;
const zh = { ...load('zh-CN'), ...load('team.zh-CN') };
const en = { ...load('en'), ...load('team.en') };
const fill = (text: string | undefined, params: Record<string, string | number>) => (text ?? '').replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));

const PASSWORD = 'correct horse battery staple';
const PHONE = { width: 390, height: 844 };

/** What the page exposes for tests and diagnosis (`window.__team`). */
interface TeamGlobal {
  __team: {
    view: { order: { orderId: number; status: string; route: unknown[] } | null; team: { lon: number | null; lat: number | null } | null } | null;
    map: { state: { incidents: Map<number, { orders: { route: unknown[] }[] }> }; frame: number[] | null };
  };
}
/** Browser globals for page.evaluate callbacks (the test compiles without the DOM library). */
interface PageGlobal {
  document: { documentElement: { lang: string; scrollWidth: number }; querySelector(selector: string): { textContent: string | null } | null };
  Intl: typeof Intl;
}

async function account(h: Harness, username: string, role: string, teamId?: string): Promise<string> {
  const created = await h.http('POST', '/api/accounts', { username, displayName: username, role, password: PASSWORD, ...(teamId ? { teamId } : {}) });
  assert.equal(created.status, 201, created.text);
  const login = await fetch(`http://127.0.0.1:${h.addresses.httpPort}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  const session = /vsg_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
  assert.ok(session, `${username} logged in`);
  return session;
}

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();
const shanghaiTime = (ms: number, locale: string) => new Intl.DateTimeFormat(locale, { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(ms);

t.test('the team page in a real Chromium, at a phone size', async (t) => {
  const siteDir = mkdtempSync(join(tmpdir(), 'site-'));
  t.teardown(() => rmSync(siteDir, { recursive: true, force: true }));
  writeSite(siteDir);
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9', SITE_DIR: siteDir, DISPATCH_ACK_WINDOW_MS: '60000' });
  t.teardown(() => h.stop());
  // The phone reaches the gateway through a relay the test can cut: the village's mobile network.
  const proxy = await startProxy(h.addresses.httpPort);
  t.teardown(() => proxy.close());
  const base = `http://127.0.0.1:${proxy.port}`;

  const detector = await registerAt(h, 'fire', 'fd-factory7-a', 1000, 25);
  const mill = await registerAt(h, 'fire', 'fd-mill2-a', 1500, 25);
  const east = await tracker(h, 'team-east', 'East', 1800, 0);
  await tracker(h, 'team-west', 'West', 100, 0);
  const eastCmd = `v1/testvillage/team/${east.credentials.device.id}/cmd`;
  await east.client.subscribeAsync(eastCmd, { qos: 1 });
  await waitFor('the teams have positions', async () => (await h.http('GET', '/api/teams')).json.teams.every((tm: { lon: number | null }) => tm.lon !== null));

  const session = await account(h, 'east-crew', 'team', 'team-east');

  await t.test('every other role is refused /team and the order endpoint; the team account is let in', async (t) => {
    const gateway = `http://127.0.0.1:${h.addresses.httpPort}`;
    for (const role of ['operator', 'installer', 'brigade', 'admin']) {
      const cookie = `vsg_session=${await account(h, `${role}-person`, role)}`;
      const page = await fetch(`${gateway}/team`, { headers: { cookie }, redirect: 'manual' });
      t.equal(page.status, 403, `${role}: /team is 403`);
      t.equal(((await page.json()) as { code: string }).code, 'GW_FORBIDDEN');
      t.equal((await fetch(`${gateway}/api/teams/mine/order`, { headers: { cookie } })).status, 403, `${role}: no team order`);
    }
    const anonymous = await fetch(`${gateway}/team`, { redirect: 'manual' });
    t.equal(anonymous.status, 302, 'nobody: to the log-in page');
    t.equal(anonymous.headers.get('location'), '/login?next=%2Fteam');
    const page = await fetch(`${gateway}/team`, { headers: { cookie: `vsg_session=${session}` } });
    t.equal(page.status, 200);
    t.match(page.headers.get('content-security-policy'), /default-src 'self'/);
    const html = await page.text();
    t.notMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script');
    t.notMatch(html, /https?:\/\//, 'no external URL (no CDN, fonts, tiles)');
    t.equal(html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim(), '', 'no words in the markup');
    for (const asset of ['/web/team.js', '/web/team.css', '/web/lib/team-order.js', '/web/lib/team-api.js', '/web/lib/team-map.js', '/web/i18n/team.zh-CN.json', '/web/i18n/team.en.json']) {
      t.equal((await fetch(gateway + asset)).status, 200, asset);
    }
  });

  // The phone's own clock is in New York: the page must still show the site's time (Asia/Shanghai).
  const tz = process.env.TZ;
  process.env.TZ = 'America/New_York';
  const chromium = await launchChromium(PHONE);
  if (tz === undefined) delete process.env.TZ;
  else process.env.TZ = tz;
  t.teardown(() => chromium.close());
  await chromium.context.addCookies([{ name: 'vsg_session', value: session, url: base, httpOnly: true, sameSite: 'Strict' }]);
  const page = await chromium.context.newPage();
  const pageErrors: string[] = [];
  let networkCut = false;
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    // Expected: the refusal the test provokes, and requests failing while the network is cut.
    if (/status of 409/.test(message.text()) || (networkCut && /net::ERR_/.test(message.text()))) return;
    pageErrors.push(message.text());
  });
  mkdirSync('test-output', { recursive: true });
  await page.goto(`${base}/team`);
  await page.waitForSelector('body[data-ready="true"]');

  await t.test('Simplified Chinese by default; no current order; the team and its position', async (t) => {
    t.equal(await page.evaluate(() => (globalThis as unknown as PageGlobal).Intl.DateTimeFormat().resolvedOptions().timeZone), 'America/New_York', 'the phone is not on Shanghai time');
    t.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    t.equal(await page.title(), zh['team.title']);
    t.equal(await text(page, 'h1'), zh['team.title']);
    t.equal(await text(page, '#team-name'), 'East');
    await page.waitForSelector('#no-order:not([hidden])');
    t.equal(await text(page, '#no-order h2'), zh['team.noOrder.heading']);
    t.ok(await page.locator('#order').isHidden(), 'no order card');
    t.ok(await page.locator('#actions').isHidden(), 'no actions');
    await page.waitForSelector('#conn[data-state="live"]');
    t.match(await text(page, '#conn'), /^已同步 \d\d:\d\d:\d\d$/);
    t.match(await text(page, '#position'), new RegExp(`^${fill(zh['team.teamStatus'], { status: zh['teamStatus.available']! })} · 定位 \\d\\d:\\d\\d:\\d\\d$`));
    const frame = await page.evaluate(() => (globalThis as unknown as TeamGlobal).__team.map.frame);
    t.ok(frame && frame.length === 4, 'the map frames the team');
    await page.screenshot({ path: 'test-output/team-idle.png' });
  });

  let incidentId = 0;
  let orderId = 0;
  await t.test('a fire alarm over MQTT: the order is on the phone with place, severity, clock, ETA and route', async (t) => {
    const fire = await h.connect(detector);
    t.teardown(() => fire.endAsync());
    const dispatched = nextMessage(east.client, eastCmd);
    const sent = Date.now();
    await fire.publishAsync(`v1/testvillage/fire/${detector.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
    const message = await dispatched;
    t.equal(message.type, 'dispatch', 'the tracker got the order over MQTT');
    incidentId = message.incident.id;
    orderId = message.orderId;
    await page.waitForSelector(`#order[data-incident-id="${incidentId}"]`, { timeout: 5000 });
    t.ok(Date.now() - sent < 4000, `on the phone ${Date.now() - sent} ms after the alarm (polling every 2 s)`);
    t.equal(await text(page, '#severity'), zh['severity.orange']);
    t.equal(await page.getAttribute('#order', 'class'), 'order sev-orange', 'in its colour');
    t.equal(await text(page, '#title'), fill(zh['rule.fire-alarm'], { where: 'Furniture Factory 7' }));
    t.equal(await text(page, '#where'), 'Furniture Factory 7 · Grid 3');
    t.equal(await text(page, '#incident-no'), fill(zh['team.order.number'], { id: incidentId }));
    t.equal(await text(page, '#order-status'), zh['order.sent']);
    const first = await text(page, '#clock');
    t.match(first, /^剩 0[0-3]:\d\d$/, `the clock counts down from 3:00 since the alarm: ${first}`);
    t.match(await text(page, '#eta'), /^预计 0\d:\d\d 后到达$/, 'the ETA');
    t.match(await text(page, '#deadline'), /^请在 \d+ 秒内接单/, 'the time left to accept');
    t.equal(await text(page, '#distance'), fill(zh['team.order.distance'], { distance: fill(zh['team.distance'], { km: Math.round(message.distanceM / 100) / 10 }) }));
    const view = (await h.http('GET', `/api/incidents/${incidentId}`)).json;
    t.equal(await text(page, '#alarm-at'), fill(zh['incident.openedAt'], { time: shanghaiTime(view.incident.openedAt, 'zh-CN') }), 'the alarm time in the site time zone');
    t.equal(await text(page, '#sent-at'), fill(zh['team.order.sentAt'], { time: shanghaiTime(view.dispatches[0].sentAt, 'zh-CN') }));
    t.ok(await page.locator('#accept').isEnabled(), 'accept');
    t.ok(await page.locator('#arrived').isDisabled(), 'not yet arrived');
    t.ok(await page.locator('#resolve').isDisabled(), 'not yet resolve');
    t.match(await text(page, '#toasts'), fill(zh['team.newOrder'], { title: fill(zh['rule.fire-alarm'], { where: 'Furniture Factory 7' }) }), 'a new order is announced');
    const routes = await page.evaluate(() => [...(globalThis as unknown as TeamGlobal).__team.map.state.incidents.values()].map((i) => i.orders.map((o) => o.route.length)));
    t.same(routes, [[message.route.length]], 'the route the tracker got is on the map');
    await page.waitForTimeout(1100);
    const later = await text(page, '#clock');
    t.not(later, first, `the clock runs: ${first} → ${later}`);
    const layout = await page.evaluate(() => ({ scroll: (globalThis as unknown as PageGlobal).document.documentElement.scrollWidth }));
    t.ok(layout.scroll <= PHONE.width, `no sideways scrolling on a phone (${layout.scroll} px)`);
    const button = await page.locator('#accept').boundingBox();
    t.ok(button && button.height >= 48, `a thumb-sized accept button (${button?.height} px)`);
    await page.screenshot({ path: 'test-output/team.png' });
  });

  await t.test('accept on the phone: recorded for the account; the tracker saying it too and driving still work', async (t) => {
    await page.click('#accept');
    await page.waitForSelector('#order[data-status="accepted"]', { timeout: 3000 });
    t.equal(await text(page, '#order-status'), zh['order.accepted']);
    t.match(await text(page, '#toasts'), zh['team.done.accept']!);
    t.ok(await page.locator('#deadline').isHidden(), 'no deadline once accepted');
    t.ok(await page.locator('#accept').isDisabled());
    t.ok(await page.locator('#arrived').isEnabled());
    t.ok(await page.locator('#resolve').isEnabled());
    let view = (await h.http('GET', `/api/incidents/${incidentId}`)).json;
    t.equal(view.incident.status, 'accepted');
    const accepted = view.audit.filter((a: { action: string }) => a.action === 'team accepted');
    t.same(accepted.map((a: { actor: string }) => a.actor), ['team:east-crew'], 'the acceptance is by the team account');

    // The crew also presses accept on the tracker, then drives: the MQTT path goes on working.
    await east.say({ event: 'accept', incident_id: String(incidentId) });
    await east.move(1400, 0);
    await h.gateway.response.idle();
    view = (await h.http('GET', `/api/incidents/${incidentId}`)).json;
    t.equal(view.audit.filter((a: { action: string }) => a.action === 'team accepted').length, 1, 'still one acceptance');
    t.notOk(h.logLines.some((line) => line.includes('tracker answer not applied')), 'the tracker answer was not refused');
    const [lon] = at(1400, 0);
    await page.waitForFunction((expected) => Math.abs(((globalThis as unknown as TeamGlobal).__team.view?.team?.lon ?? 0) - expected) < 1e-6, lon, { timeout: 5000 });
    t.pass('the team moves on the phone map with its tracker');
  });

  await t.test('arrived on the phone: the clock stops at the response time', async (t) => {
    await page.click('#arrived');
    await page.waitForSelector('#order[data-status="arrived"]', { timeout: 3000 });
    t.equal(await text(page, '#order-status'), zh['order.arrived']);
    const stopped = await text(page, '#clock');
    t.match(stopped, /^到场 0[0-2]:\d\d$/, stopped);
    t.equal(await page.getAttribute('#clock', 'data-state'), 'met');
    await page.waitForTimeout(1100);
    t.equal(await text(page, '#clock'), stopped, 'and stays');
    t.ok(await page.locator('#eta').isHidden(), 'no ETA on site');
    t.ok(await page.locator('#arrived').isDisabled());
    t.ok(await page.locator('#resolve').isEnabled());
    const view = (await h.http('GET', `/api/incidents/${incidentId}`)).json;
    t.equal(view.incident.status, 'arrived');
    t.equal(view.audit.find((a: { action: string }) => a.action === 'team arrived').actor, 'team:east-crew');
    // The tracker reaching the spot afterwards changes nothing.
    await east.move(1000, 5);
    await east.say({ event: 'arrived', incident_id: String(incidentId) });
    await h.gateway.response.idle();
    t.equal((await h.http('GET', `/api/incidents/${incidentId}`)).json.audit.filter((a: { action: string }) => /arrived/.test(a.action)).length, 1, 'one arrival');
  });

  await t.test('English on switch, and after a reload', async (t) => {
    await page.click('#lang');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.documentElement.lang === 'en');
    t.equal(await page.title(), en['team.title']);
    t.equal(await text(page, '#severity'), en['severity.orange']);
    t.equal(await text(page, '#title'), 'Fire alarm at Furniture Factory 7');
    t.equal(await text(page, '#order-status'), en['order.arrived']);
    t.match(await text(page, '#clock'), /^On site 0[0-2]:\d\d$/);
    t.equal(await text(page, '#accept'), en['team.action.accept']);
    t.equal(await text(page, '#arrived'), en['team.action.arrived']);
    t.equal(await text(page, '#resolve'), en['action.resolve']);
    t.match(await text(page, '#conn'), /^Up to date \d\d:\d\d:\d\d$/);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#order[data-status="arrived"]');
    t.equal(await page.getAttribute('html', 'lang'), 'en', 'still English after a reload');
    t.equal(await text(page, '#alarm-at'), fill(en['incident.openedAt'], { time: shanghaiTime((await h.http('GET', `/api/incidents/${incidentId}`)).json.incident.openedAt, 'en') }));
    await page.screenshot({ path: 'test-output/team-en.png' });
  });

  await t.test('resolve with a note (required): the tracker is told the order is closed', async (t) => {
    await page.click('#resolve');
    await page.waitForSelector('#resolve-form:not([hidden])');
    t.ok(await page.locator('#buttons').isHidden(), 'the note replaces the buttons');
    await page.click('#resolve-confirm');
    t.equal(await text(page, '#resolve-error'), en['dialog.textRequired'], 'a note is required');
    await page.fill('#note', '车间胶水过热，无明火 / glue overheated, no fire');
    await page.screenshot({ path: 'test-output/team-resolve.png' });
    const closed = nextMessage(east.client, eastCmd);
    await page.click('#resolve-confirm');
    await page.waitForSelector('#no-order:not([hidden])', { timeout: 3000 });
    t.match(await text(page, '#toasts'), fill(en['action.done.resolve'], { id: incidentId }));
    t.match(await closed, { type: 'closed', orderId, status: 'resolved', incident: { id: incidentId } }, 'the tracker hears the order is closed');
    const view = (await h.http('GET', `/api/incidents/${incidentId}`)).json;
    t.equal(view.incident.status, 'resolved');
    t.equal(view.incident.note, '车间胶水过热，无明火 / glue overheated, no fire');
    t.equal(view.audit.find((a: { action: string }) => a.action === 'resolved').actor, 'team:east-crew');
    t.ok(await page.locator('#actions').isHidden(), 'nothing left to do');
  });

  await t.test('an order cancelled meanwhile: the refusal is explained, then the end of the order', async (t) => {
    const fire = await h.connect(mill);
    t.teardown(() => fire.endAsync());
    await fire.publishAsync(`v1/testvillage/fire/${mill.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
    await page.waitForSelector('#order[data-status="sent"]', { timeout: 5000 });
    const id = Number(await page.getAttribute('#order', 'data-incident-id'));
    t.not(id, incidentId, 'a new incident');
    // Hold the page's polls, so it still shows the order when the operator cancels it.
    const held: Route[] = [];
    await page.route('**/api/teams/mine/order', (route) => void held.push(route));
    await page.waitForTimeout(2200);
    const closed = nextMessage(east.client, eastCmd);
    t.equal((await h.http('POST', `/api/incidents/${id}/cancel`, { reason: 'drill' })).status, 200);
    t.match(await closed, { type: 'closed', status: 'cancelled' });
    await page.click('#accept');
    await page.waitForSelector('.toast.error', { timeout: 3000 });
    t.equal(await text(page, '.toast.error'), fill(en['team.error.orderGone'], { action: en['team.action.accept']! }), 'the gateway refused: said in words');
    await page.screenshot({ path: 'test-output/team-error.png' });
    for (const route of held.splice(0)) await route.continue();
    await page.unroute('**/api/teams/mine/order');
    await page.waitForSelector('#no-order:not([hidden])', { timeout: 5000 });
    await page.waitForFunction((expected) => (globalThis as unknown as PageGlobal).document.querySelector('#toasts')?.textContent?.includes(expected) ?? false, fill(en['team.ended.closed'], { id, status: en['status.cancelled']! }), { timeout: 3000 });
    t.pass('the end of the order is explained: cancelled');
  });

  await t.test('the network lost and back', async (t) => {
    networkCut = true;
    proxy.cut();
    await page.waitForSelector('#conn[data-state="lost"]', { timeout: 6000 });
    t.match(await text(page, '#conn'), /^No connection: last update \d\d:\d\d:\d\d, retrying…$/);
    proxy.restore();
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 15_000 });
    networkCut = false;
    t.pass('live again without a reload');
  });

  t.same(pageErrors, [], 'no errors or warnings in the page console');
});
