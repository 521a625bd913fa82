import t from 'tap';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startGateway, waitFor } from '../support/gateway-harness.js';
import { startWallServer } from '../live/wall-server.js';
import { launchChromium } from './chromium.js';
import { startProxy } from './cuttable-proxy.js';
import { registerAt, tracker, writeSite } from './village.js';

const catalogue = (locale: string) => JSON.parse(readFileSync(new URL(`../../src/web/public/i18n/${locale}.json`, import.meta.url), 'utf8')) as Record<string, string>;
const zh = catalogue('zh-CN');
const en = catalogue('en');

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

/** What the page exposes for tests and diagnosis (`window.__wall`), as far as these tests read it. */
interface WallGlobal {
  __wall: {
    state: {
      incidents: Map<number, { orders: { route: unknown[] }[] }>;
      devices: Map<string, { maintenance?: number | null }>;
      maintenance: { id: number; status: string }[];
    };
    feed: { stats: { snapshots: number; resumes: number } };
  };
  __sameDocument?: boolean;
}
/** Browser globals for page.evaluate callbacks (the test compiles without the DOM library). */
interface PageGlobal {
  document: { querySelector(selector: string): { textContent: string | null } | null; querySelectorAll(selector: string): { length: number } };
}

t.test('the operators wall in a real Chromium', async (t) => {
  const siteDir = mkdtempSync(join(tmpdir(), 'site-'));
  t.teardown(() => rmSync(siteDir, { recursive: true, force: true }));
  writeSite(siteDir);
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9', SITE_DIR: siteDir, DISPATCH_ACK_WINDOW_MS: '60000' });
  t.teardown(() => h.stop());
  const wall = await startWallServer(h);
  t.teardown(() => wall.stop());
  // The page reaches the gateway through a relay the test can cut: the network cable of the wall.
  const proxy = await startProxy(wall.port);
  t.teardown(() => proxy.close());
  const base = `http://127.0.0.1:${proxy.port}`;

  const detector = await registerAt(h, 'fire', 'fd-factory7-a', 1000, 25);
  const second = await registerAt(h, 'fire', 'fd-mill2-a', 1500, 25);
  for (let i = 0; i < 12; i++) await registerAt(h, i % 2 ? 'camera' : 'lock', `dev-${i}`, 150 + i * 150, i % 3 === 0 ? -40 : 60);
  await tracker(h, 'team-east', 'East', 1800, 0);
  await tracker(h, 'team-west', 'West', 100, 0);
  await waitFor('the teams have positions', async () => (await h.http('GET', '/api/teams')).json.teams.every((tm: { lon: number | null }) => tm.lon !== null));

  const chromium = await launchChromium();
  t.teardown(() => chromium.close());
  // A real operator session, as the login page will set it: the page's actions then pass the session's CSRF rule too.
  assert.equal((await h.http('POST', '/api/accounts', { username: 'wall-op', displayName: 'Wall operator', role: 'operator', password: 'correct horse battery' })).status, 201);
  const login = await fetch(`http://127.0.0.1:${h.addresses.httpPort}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'wall-op', password: 'correct horse battery' }),
  });
  const session = /vsg_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
  assert.ok(session, 'logged in');
  await chromium.context.addCookies([{ name: 'vsg_session', value: session, url: base, httpOnly: true, sameSite: 'Strict' }]);
  const page = await chromium.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (message) => {
    // Chromium logs each refused reconnect while the network is cut; that is the test, not a fault.
    if ((message.type() === 'error' || message.type() === 'warning') && !/WebSocket connection to .* failed/.test(message.text())) pageErrors.push(message.text());
  });
  await page.goto(`${base}/wall`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('#conn[data-state="live"]');

  await t.test('Simplified Chinese by default, times in Asia/Shanghai', async (t) => {
    t.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    t.equal(await page.title(), zh['wall.title']);
    t.equal(await text(page, 'h1'), zh['wall.title']);
    t.equal(await text(page, '#conn'), zh['conn.live']);
    t.equal(await text(page, '#no-incidents'), zh['incidents.none']);
    const shown = await text(page, '#clock');
    const shanghai = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(Date.now());
    t.match(shown, shanghai.slice(0, 2), `the clock ${shown} is Shanghai time (${shanghai})`);
  });

  let incidentId = 0;
  await t.test('an MQTT fire alarm is on the wall within a second, its clock running against 3:00', async (t) => {
    const fire = await h.connect(detector);
    t.teardown(() => fire.endAsync());
    const sent = Date.now();
    await fire.publishAsync(`v1/testvillage/fire/${detector.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
    await page.waitForSelector('[data-incident-id]', { timeout: 5000 });
    const shownMs = Date.now() - sent;
    t.ok(shownMs < 1000, `on the wall ${shownMs} ms after the publish`);
    incidentId = Number(await page.getAttribute('[data-incident-id]', 'data-incident-id'));
    const card = `[data-incident-id="${incidentId}"]`;
    t.equal(await text(page, `${card} [data-part="severity"]`), zh['severity.orange']);
    t.equal(await text(page, `${card} [data-part="title"]`), zh['rule.fire-alarm']!.replace('{where}', 'Furniture Factory 7'));
    const first = await text(page, `${card} [data-part="clock"]`);
    t.match(first, /^剩 0[23]:\d\d$/, `the clock counts down from 3:00: ${first}`);
    await page.waitForTimeout(1100);
    const later = await text(page, `${card} [data-part="clock"]`);
    t.not(later, first, `and runs: ${first} → ${later}`);
    await page.waitForSelector(`${card} .team-name`, { timeout: 5000 });
    t.equal(await text(page, `${card} .team-name`), 'East', 'the dispatched team');
    t.match(await text(page, `${card} [data-part="eta"]`), /预计 0\d:\d\d 后到达/, 'with its ETA');
    const ticker = await page.locator('#ticker li').allInnerTexts();
    t.ok(ticker.some((line) => line.includes('火灾报警') && line.includes('fd-factory7-a')), 'the ticker has the fire alarm');
    const drawn = await page.evaluate(() => [...(globalThis as unknown as WallGlobal).__wall.state.incidents.values()].map((i) => i.orders.map((o) => o.route.length)));
    t.ok(drawn[0]?.[0] && drawn[0][0] >= 2, 'the route of the team is on the map');
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/wall.png' });
  });

  await t.test('English on switch, and the choice survives a reload', async (t) => {
    await page.click('#lang');
    await page.waitForFunction((title) => (globalThis as unknown as PageGlobal).document.querySelector('h1')?.textContent === title, en['wall.title']);
    t.equal(await page.getAttribute('html', 'lang'), 'en');
    t.equal(await page.title(), en['wall.title']);
    const card = `[data-incident-id="${incidentId}"]`;
    t.equal(await text(page, `${card} [data-part="severity"]`), 'Orange');
    t.equal(await text(page, `${card} [data-part="title"]`), 'Fire alarm at Furniture Factory 7');
    t.match(await text(page, `${card} [data-part="clock"]`), /^0[0-2]:\d\d left$/);
    t.equal(await text(page, `${card} [data-action="resolve"]`), en['action.resolve']);
    t.equal(await text(page, '#conn'), en['conn.live']);
    await page.reload();
    await page.waitForSelector('#conn[data-state="live"]');
    t.equal(await page.getAttribute('html', 'lang'), 'en', 'still English after a reload');
    await page.click('#lang');
    await page.waitForFunction((title) => (globalThis as unknown as PageGlobal).document.querySelector('h1')?.textContent === title, zh['wall.title']);
    t.pass('and back to Chinese');
  });

  await t.test('the operator acknowledges', async (t) => {
    const card = `[data-incident-id="${incidentId}"]`;
    await page.click(`${card} [data-action="ack"]`);
    await page.waitForSelector(`${card} [data-part="acked"]:not([hidden])`);
    t.match(await text(page, `${card} [data-part="acked"]`), /wall-op 已确认/);
    t.ok(await page.locator(`${card} [data-action="ack"]`).isHidden(), 'nothing left to acknowledge');
    const view = (await h.http('GET', `/api/incidents/${incidentId}`)).json;
    t.equal(view.incident.acknowledgedBy, 'operator:wall-op', 'recorded with who, through the incident API with the session cookie');
  });

  await t.test('the operator sends another team', async (t) => {
    const card = `[data-incident-id="${incidentId}"]`;
    await page.click(`${card} [data-action="dispatch"]`);
    await page.waitForSelector('#action-dialog[open]');
    const options = await page.locator('#action-dialog select option').allInnerTexts();
    t.same(options, [zh['dialog.dispatch.fastest'], 'West（待命）'], 'the fastest, or a team by name; the team already sent is not offered');
    await page.selectOption('#action-dialog select', 'team-west');
    await page.click('#action-dialog button[type="submit"]');
    await page.waitForFunction((selector) => (globalThis as unknown as PageGlobal).document.querySelectorAll(selector).length === 2, `${card} .team-name`, { timeout: 3000 });
    t.same(await page.locator(`${card} .team-name`).allInnerTexts(), ['East', 'West'], 'both teams on the card, each with its ETA');
    const view = (await h.http('GET', `/api/incidents/${incidentId}`)).json;
    t.same(view.dispatches.map((d: { teamId: string }) => d.teamId), ['team-east', 'team-west']);
  });

  await t.test('connection lost is shown, and the page resumes without a reload', async (t) => {
    await page.evaluate(() => void ((globalThis as unknown as WallGlobal).__sameDocument = true));
    const before = await page.evaluate(() => ({ ...(globalThis as unknown as WallGlobal).__wall.feed.stats }));
    proxy.cut();
    await page.waitForSelector('#lost:not([hidden])', { timeout: 5000 });
    t.equal(await page.getAttribute('#conn', 'data-state'), 'lost');
    t.match(await text(page, '#lost'), zh['conn.lostHeading']!, 'the banner says the screen is not updating');
    // While the wall is cut off, a second detector alarms elsewhere.
    const fire = await h.connect(second);
    t.teardown(() => fire.endAsync());
    await fire.publishAsync(`v1/testvillage/fire/${second.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
    await waitFor('the second incident', async () => (await h.http('GET', '/api/incidents?open=true')).json.incidents.length === 2);
    await page.waitForTimeout(800);
    t.equal(await page.locator('[data-incident-id]').count(), 1, 'nothing new reaches a cut-off page');
    proxy.restore();
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 15_000 });
    t.ok(await page.locator('#lost').isHidden(), 'the banner is gone');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.querySelectorAll('[data-incident-id]').length === 2, undefined, { timeout: 5000 });
    t.pass('the incident opened during the outage is on the wall');
    const after = await page.evaluate(() => ({
      sameDocument: (globalThis as unknown as WallGlobal).__sameDocument === true,
      ...(globalThis as unknown as WallGlobal).__wall.feed.stats,
    }));
    t.ok(after.sameDocument, 'no reload');
    t.equal(after.resumes, before.resumes + 1, 'resumed with the missed batches');
    t.equal(after.snapshots, before.snapshots, 'without a new snapshot');
  });

  await t.test('the operator resolves with a note and the incident leaves the wall', async (t) => {
    const card = `[data-incident-id="${incidentId}"]`;
    await page.click(`${card} [data-action="resolve"]`);
    await page.waitForSelector('#action-dialog[open]');
    t.equal(await text(page, '#action-dialog [data-part="heading"]'), zh['dialog.resolve.heading']!.replace('{id}', String(incidentId)));
    await page.click('#action-dialog button[type="submit"]');
    t.equal(await text(page, '#action-dialog [data-part="error"]'), zh['dialog.textRequired'], 'a note is required');
    await page.fill('#action-dialog textarea', '车间胶水过热，无明火 / glue overheated, no fire');
    await page.click('#action-dialog button[type="submit"]');
    await page.waitForSelector(card, { state: 'detached', timeout: 2000 });
    t.equal(await page.locator('#action-dialog[open]').count(), 0, 'the dialog closed');
    const view = (await h.http('GET', `/api/incidents/${incidentId}`)).json;
    t.equal(view.incident.status, 'resolved');
    t.equal(view.incident.note, '车间胶水过热，无明火 / glue overheated, no fire');
    await page.waitForTimeout(600);
    t.equal(await page.locator(card).count(), 0, 'and stays gone after the feed confirms it');
    t.equal(await page.locator('[data-incident-id]').count(), 1, 'the other incident is still there');
  });

  await t.test('the operator cancels the other one with a reason', async (t) => {
    const other = Number(await page.getAttribute('[data-incident-id]', 'data-incident-id'));
    await page.click(`[data-incident-id="${other}"] [data-action="cancel"]`);
    await page.waitForSelector('#action-dialog[open]');
    await page.fill('#action-dialog textarea', '消防演练 / fire drill, announced');
    await page.click('#action-dialog button[type="submit"]');
    await page.waitForSelector('#no-incidents:not([hidden])', { timeout: 2000 });
    const view = (await h.http('GET', `/api/incidents/${other}`)).json;
    t.equal(view.incident.status, 'cancelled');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.querySelectorAll('#ticker li[data-type="incident-closed"]').length >= 2, undefined, { timeout: 2000 });
    t.pass('both closings are in the ticker');
  });

  await t.test('maintenance: the covered devices are marked and the reason shown; ending it removes the mark', async (t) => {
    await registerAt(h, 'camera', 'cam-north', 1000, 600); // in Grid 4, away from the others
    const covered = () =>
      page.evaluate(() =>
        Object.fromEntries([...(globalThis as unknown as WallGlobal).__wall.state.devices].filter(([, d]) => d.maintenance !== null && d.maintenance !== undefined).map(([id, d]) => [id, d.maintenance])),
      );
    await page.waitForFunction(() => (globalThis as unknown as WallGlobal).__wall.state.devices.has('cam-north'), undefined, { timeout: 5000 });
    t.same(await covered(), {}, 'nothing under maintenance yet');
    t.ok(await page.locator('#maintenance').isHidden(), 'no maintenance list');

    const endsAt = Date.now() + 2 * 3600_000;
    const zone = await h.http('POST', '/api/maintenance', { site: 'testvillage', scope: 'zone', target: 'Grid 4', reason: '更换北区摄像头', endsAt });
    t.equal(zone.status, 201, zone.text);
    const device = await h.http('POST', '/api/maintenance', { site: 'testvillage', scope: 'device', target: 'dev-1', reason: 'lens cleaning', endsAt });
    t.equal(device.status, 201, device.text);
    await page.waitForFunction(() => (globalThis as unknown as WallGlobal).__wall.state.devices.get('dev-1')?.maintenance != null, undefined, { timeout: 5000 });
    await page.waitForFunction(() => (globalThis as unknown as WallGlobal).__wall.state.devices.get('cam-north')?.maintenance != null, undefined, { timeout: 5000 });
    t.same(await covered(), { 'cam-north': zone.json.id, 'dev-1': device.json.id }, 'the camera in the zone and the one device, no other');
    await page.waitForSelector('#maintenance:not([hidden])');
    const until = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(endsAt);
    const fill = (key: string, params: Record<string, string>) => zh[key]!.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
    t.equal(await text(page, `#maintenance [data-maintenance-id="${zone.json.id}"]`), fill('maintenance.active', { reason: '更换北区摄像头', until, where: 'Grid 4' }), 'the reason, until when (site time), and where');
    t.equal(await text(page, `#maintenance [data-maintenance-id="${device.json.id}"]`), fill('maintenance.active', { reason: 'lens cleaning', until, where: 'dev-1' }));
    const legend = await page.locator('#legend li').allInnerTexts();
    t.ok(legend.includes(zh['legend.maintenance']!), 'the legend explains the dashed ring');
    await page.waitForTimeout(300);
    await page.screenshot({ path: 'test-output/wall-maintenance.png' });

    const later = await h.http('POST', '/api/maintenance', { site: 'testvillage', scope: 'site', reason: 'grid power cut', startsAt: Date.now() + 3600_000, endsAt });
    t.equal(later.status, 201, later.text);
    await page.waitForSelector(`#maintenance [data-maintenance-id="${later.json.id}"][data-status="upcoming"]`, { timeout: 5000 });
    t.match(await text(page, `#maintenance [data-maintenance-id="${later.json.id}"]`), /grid power cut/, 'a window planned ahead is listed as planned');
    t.same(Object.keys(await covered()).sort(), ['cam-north', 'dev-1'], 'and marks nothing yet');

    for (const id of [zone.json.id, device.json.id, later.json.id]) t.equal((await h.http('POST', `/api/maintenance/${id}/end`)).status, 200);
    await page.waitForFunction(() => (globalThis as unknown as WallGlobal).__wall.state.maintenance.length === 0, undefined, { timeout: 5000 });
    await page.waitForFunction(() => [...(globalThis as unknown as WallGlobal).__wall.state.devices.values()].every((d) => d.maintenance == null), undefined, { timeout: 5000 });
    t.same(await covered(), {}, 'ending them removes the marks');
    await page.waitForSelector('#maintenance', { state: 'hidden', timeout: 2000 });
    t.pass('and the list');
  });

  t.same(pageErrors, [], 'no errors or warnings in the page console');
});
