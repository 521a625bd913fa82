import t from 'tap';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { findModel } from '../../devices/index.js';
import { examplePayload, startGateway, waitFor, type Credentials, type Harness } from '../support/gateway-harness.js';
import { launchChromium } from './chromium.js';
import { at, registerAt, tracker, writeSite } from './village.js';

const catalogue = (name: string) => JSON.parse(readFileSync(new URL(`../../src/web/public/i18n/${name}.json`, import.meta.url), 'utf8')) as Record<string, string>;
const zh = { ...catalogue('zh-CN'), ...catalogue('brigade.zh-CN') };
const en = { ...catalogue('en'), ...catalogue('brigade.en') };
const fill = (text: string | undefined, params: Record<string, string | number>) => (text ?? '').replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

/** What the page exposes for tests and diagnosis (`window.__brigade`), as far as these tests read it. */
interface BrigadeGlobal {
  __brigade: {
    stats: { alerts: number; alertsSounded: number; repeats: number; chimes: number; acks: number };
    sound: { state: string; audible: boolean; played: { alarm: number; test: number } };
    map: { site: { places: { features: unknown[] } } | null; clusters: number; focus?: { radiusM: number } };
    cameras: { loads: number };
    selected(): number | undefined;
  };
}
/** Browser globals for page.evaluate callbacks (the test compiles without the DOM library). */
interface PageGlobal {
  document: { title: string; documentElement: { scrollWidth: number; clientWidth: number }; querySelector(selector: string): { textContent: string | null } | null; querySelectorAll(selector: string): { length: number } };
}
const brigade = (page: Page) => page.evaluate(() => {
  const b = (globalThis as unknown as BrigadeGlobal).__brigade;
  return { stats: { ...b.stats }, sound: { state: b.sound.state, audible: b.sound.audible, played: { ...b.sound.played } }, places: b.map.site?.places.features.length ?? 0, clusters: b.map.clusters, focus: b.map.focus ?? null, selected: b.selected(), cameraLoads: b.cameras.loads };
});

async function camera(h: Harness, id: string, name: string | undefined, x: number, y: number): Promise<Credentials> {
  const [lon, lat] = at(x, y);
  const response = await h.http('POST', '/api/devices', { id, site: 'testvillage', kind: 'camera', model: 'vistaguard/vg200', lon, lat, ...(name ? { name } : {}) });
  if (response.status !== 201) throw new Error(response.text);
  return response.json as Credentials;
}

async function login(h: Harness, username: string, role: string, extra: Record<string, string> = {}): Promise<string> {
  const created = await h.http('POST', '/api/accounts', { username, displayName: username, role, password: 'correct horse battery', ...extra });
  assert.equal(created.status, 201, created.text);
  const response = await fetch(`http://127.0.0.1:${h.addresses.httpPort}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'correct horse battery' }),
  });
  const session = /vsg_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  assert.ok(session, `${username} logged in`);
  return session;
}

t.test('the fire brigade console in a real Chromium', async (t) => {
  const siteDir = mkdtempSync(join(tmpdir(), 'site-'));
  t.teardown(() => rmSync(siteDir, { recursive: true, force: true }));
  writeSite(siteDir);
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9', SITE_DIR: siteDir, DISPATCH_ACK_WINDOW_MS: '60000' });
  t.teardown(() => h.stop());
  const base = `http://127.0.0.1:${h.addresses.httpPort}`;

  // Furniture Factory 7 is at (1000, 20): two detectors in it, cameras around it at known distances.
  const detectorA = await registerAt(h, 'fire', 'fd-factory7-a', 1000, 25);
  const detectorB = await registerAt(h, 'fire', 'fd-factory7-b', 1010, 30);
  const gate = await camera(h, 'cam-gate', 'Factory 7 gate', 1000, 60); // 35 m
  const road = await camera(h, 'cam-road', 'Main St west', 950, 0); // 56 m
  await camera(h, 'cam-yard', 'Factory 7 yard', 1060, 20); // 60 m, never connected
  await camera(h, 'cam-lane', undefined, 1000, 300); // 275 m, never connected
  const mill = await camera(h, 'cam-mill', 'Textile Mill gate', 1500, 40); // 500 m
  await camera(h, 'cam-far', undefined, 100, 300); // sixth: not in the list
  await registerAt(h, 'lock', 'lock-room-101', 1000, 30);
  const cameraModel = findModel('vistaguard/vg200')!;
  const connected = new Map<string, Awaited<ReturnType<Harness['connect']>>>();
  for (const credentials of [gate, road, mill]) {
    const client = await h.connect(credentials);
    await client.publishAsync(`v1/testvillage/camera/${credentials.device.id}/status`, examplePayload(cameraModel, 'status'), { qos: 1 });
    connected.set(credentials.device.id, client);
  }
  await tracker(h, 'team-east', 'East', 1800, 0);
  await tracker(h, 'team-west', 'West', 100, 0);
  await waitFor('the teams have positions', async () => (await h.http('GET', '/api/teams')).json.teams.every((tm: { lon: number | null }) => tm.lon !== null));

  const session = await login(h, 'fire-desk', 'brigade');
  const chromium = await launchChromium();
  t.teardown(() => chromium.close());
  await chromium.context.addCookies([{ name: 'vsg_session', value: session, url: base, httpOnly: true, sameSite: 'Strict' }]);
  const page = await chromium.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') pageErrors.push(message.text());
  });
  await page.goto(`${base}/brigade`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('#conn[data-state="live"]');
  mkdirSync('test-output', { recursive: true });

  await t.test('Simplified Chinese by default, times in Asia/Shanghai, sound to be enabled', async (t) => {
    t.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    t.equal(await page.title(), zh['brigade.title']);
    t.equal(await text(page, 'h1'), zh['brigade.heading']);
    t.equal(await text(page, '#conn'), zh['conn.live']);
    t.equal(await text(page, '#no-incidents'), zh['brigade.incidents.none']);
    t.equal(await text(page, '#sound'), zh['brigade.sound.enable'], 'the browser needs a click before it may sound');
    const shown = await text(page, '#clock');
    const shanghai = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(Date.now());
    t.match(shown, shanghai.slice(0, 2), `the clock ${shown} is Shanghai time (${shanghai})`);
    await page.click('#sound');
    await page.waitForSelector('#sound[data-state="on"]');
    t.equal(await text(page, '#sound'), zh['brigade.sound.on']);
    const { sound } = await brigade(page);
    t.ok(sound.played.test >= 1, `a test tone was played (audio context running: ${sound.audible})`);
  });

  // A second console where nobody has clicked "enable sound": the alert must still be seen.
  const quiet = await chromium.context.newPage();
  quiet.on('pageerror', (err) => pageErrors.push(err.message));
  await quiet.goto(`${base}/brigade`);
  await quiet.waitForSelector('#conn[data-state="live"]');

  let incidentId = 0;
  const card = () => `#incidents [data-incident-id="${incidentId}"]`;
  await t.test('an MQTT fire alarm arrives with place, map, nearest cameras and the patrol team', async (t) => {
    const fire = await h.connect(detectorA);
    t.teardown(() => fire.endAsync());
    const sent = Date.now();
    await fire.publishAsync(`v1/testvillage/fire/${detectorA.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
    await page.waitForSelector('#incidents [data-incident-id]', { timeout: 5000 });
    t.ok(Date.now() - sent < 2000, `on the console ${Date.now() - sent} ms after the publish`);
    incidentId = Number(await page.getAttribute('#incidents [data-incident-id]', 'data-incident-id'));
    t.equal(await text(page, `${card()} [data-part="severity"]`), zh['severity.orange']);
    t.equal(await text(page, `${card()} [data-part="title"]`), fill(zh['rule.fire-alarm'], { where: 'Furniture Factory 7' }));
    t.equal(await text(page, `${card()} [data-part="where"]`), 'Furniture Factory 7 · Grid 3', 'the place and zone');
    t.match(await text(page, `${card()} [data-part="elapsed"]`), /^报警后 00:0\d$/, 'how long since the alarm');
    t.ok(await page.locator(`${card()} [data-part="confirmed"]`).isHidden(), 'one detector: not confirmed');

    await page.waitForSelector(`${card()} .team-name`, { timeout: 5000 });
    t.equal(await text(page, `${card()} .team-name`), 'East', 'the patrol team sent');
    t.match(await text(page, `${card()} [data-part="eta"]`), /^预计 0\d:\d\d 后到达$/, 'with its ETA');
    t.equal(await text(page, `${card()} .order-status`), zh['order.sent'], 'and the order state');
    t.equal(await text(page, `${card()} .team-status`), zh['teamStatus.dispatched'], 'and the team status');

    t.equal(await page.getAttribute('#detail-head', 'data-selected-id'), String(incidentId), 'selected: shown in the detail pane');
    t.equal(await text(page, '#detail-head [data-part="where"]'), 'Furniture Factory 7 · Grid 3');
    t.match(await text(page, '#detail-head [data-part="detector"]'), /fd-factory7-a/);
    t.match(await text(page, '#detail-head [data-part="position"]'), /北纬 30\.\d{5}，东经 120\.\d{5}/);
    const map = await brigade(page);
    t.equal(map.places, 2, 'the map is drawn from the site GeoJSON (no tiles)');
    t.ok(map.clusters > 0, 'with the cameras and detectors on it');

    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.querySelectorAll('#cameras tr').length === 5, undefined, { timeout: 5000 });
    const rows = await page.locator('#cameras tr').evaluateAll((trs) => trs.map((tr) => [(tr as unknown as { dataset: Record<string, string> }).dataset.cameraId, (tr as unknown as { dataset: Record<string, string> }).dataset.state]));
    t.same(rows, [
      ['cam-gate', 'online'],
      ['cam-road', 'online'],
      ['cam-yard', 'offline'],
      ['cam-lane', 'offline'],
      ['cam-mill', 'online'],
    ], 'the five nearest cameras, nearest first, with their health');
    t.equal(await text(page, '#cameras tr[data-camera-id="cam-gate"] .distance'), '35 米');
    t.equal(await text(page, '#cameras tr[data-camera-id="cam-yard"] .camera-state'), zh['brigade.camera.offline']);
    t.equal(await text(page, '#cameras tr[data-camera-id="cam-yard"] .seen'), zh['brigade.cameras.never']);
    t.equal(await text(page, '#cameras-summary'), fill(zh['brigade.cameras.summary'], { online: 3, total: 5 }));
    t.equal((await brigade(page)).stats.alerts, 0, 'an orange alarm does not sound the red alert');

    await page.waitForFunction(() => (globalThis as unknown as BrigadeGlobal).__brigade.map.focus !== undefined);
    t.equal(Math.round((await brigade(page)).focus!.radiusM), 120, 'the map is close up on the fire and its three nearest cameras (60 m × 1.3, at least 120 m)');
    t.equal(await text(page, '#zoom'), zh['brigade.map.village']);
    await page.click('#zoom');
    await page.waitForFunction(() => (globalThis as unknown as BrigadeGlobal).__brigade.map.focus === undefined);
    t.pass('the whole village on request');
    t.equal(await text(page, '#zoom'), zh['brigade.map.closeUp']);
    await page.click('#zoom');
    await page.waitForFunction(() => (globalThis as unknown as BrigadeGlobal).__brigade.map.focus !== undefined);
    t.pass('and close up again');
  });

  await t.test('camera health follows the live feed: a tampered camera is an alarm, a camera gone is offline', async (t) => {
    await connected.get('cam-road')!.publishAsync('v1/testvillage/camera/cam-road/event', JSON.stringify({ event: 'tamper' }), { qos: 1 });
    await page.waitForSelector('#cameras tr[data-camera-id="cam-road"][data-state="alarm"]', { timeout: 5000 });
    t.equal(await text(page, '#cameras tr[data-camera-id="cam-road"] .camera-state'), zh['brigade.camera.alarm']);
    await connected.get('cam-mill')!.endAsync(true);
    await page.waitForSelector('#cameras tr[data-camera-id="cam-mill"][data-state="offline"]', { timeout: 5000 });
    t.pass('cam-mill went offline');
    t.equal(await page.locator('#incidents [data-incident-id]').count(), 1, 'the camera incident is not a fire: not on the console');
  });

  await t.test('a camera dark under planned maintenance says so, with until when; ending the window makes it plain offline again', async (t) => {
    const row = '#cameras tr[data-camera-id="cam-mill"]';
    t.equal(await page.getAttribute(row, 'data-state'), 'offline', 'cam-mill is offline (its client left above)');
    t.equal(await page.getAttribute(row, 'data-maintenance'), null, 'not under maintenance yet');
    const endsAt = Date.now() + 2 * 3600_000;
    const planned = await h.http('POST', '/api/maintenance', { site: 'testvillage', scope: 'device', target: 'cam-mill', reason: '更换镜头', endsAt });
    t.equal(planned.status, 201, planned.text);
    const id = planned.json.id as number;
    await page.waitForSelector(`${row}[data-maintenance="${id}"]`, { timeout: 5000 });
    t.equal(await page.getAttribute(row, 'data-state'), 'offline', 'still offline: the feed tells the truth');
    const until = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(endsAt);
    t.equal(await text(page, `${row} .camera-state`), fill(zh['brigade.camera.maintenance'], { until }), 'under maintenance until its end, in site time');
    t.equal(await text(page, `${row} .maintenance-reason`), '更换镜头', 'and why');
    t.equal(await page.getAttribute('#cameras tr[data-camera-id="cam-yard"]', 'data-maintenance'), null, 'another offline camera is not covered');
    t.equal(await text(page, '#cameras tr[data-camera-id="cam-yard"] .camera-state'), zh['brigade.camera.offline'], 'and stays plain offline');
    const legend = await page.locator('#legend li').allInnerTexts();
    t.ok(legend.includes(zh['legend.maintenance']!), 'the legend explains the dashed ring on the map');
    await page.waitForTimeout(300);
    await page.screenshot({ path: 'test-output/brigade-maintenance.png' });

    t.equal((await h.http('POST', `/api/maintenance/${id}/end`)).status, 200);
    await page.waitForSelector(`${row}:not([data-maintenance])`, { timeout: 5000 });
    t.equal(await page.getAttribute(row, 'data-state'), 'offline');
    t.equal(await text(page, `${row} .camera-state`), zh['brigade.camera.offline'], 'plain offline again');
    t.equal(await page.locator(`${row} .maintenance-reason`).count(), 0, 'no reason left');
  });

  await t.test('a second detector confirms the fire: red, the alarm sounds, the alert bar shows', async (t) => {
    const fire = await h.connect(detectorB);
    t.teardown(() => fire.endAsync());
    await fire.publishAsync(`v1/testvillage/fire/${detectorB.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'smoke' }), { qos: 1 });
    await page.waitForSelector(`${card()}[data-severity="red"]`, { timeout: 5000 });
    t.equal(await page.locator('#incidents [data-incident-id]').count(), 1, 'the same incident, raised');
    t.equal(await text(page, `${card()} [data-part="severity"]`), zh['severity.red']);
    t.ok(await page.locator(`${card()} [data-part="confirmed"]`).isVisible(), 'the fire is confirmed');
    await page.waitForSelector(`${card()} [data-part="pushed"]:not([hidden])`, { timeout: 5000 });
    t.pass('the brigade was pushed this fire (webhook), and the console says so');
    await page.waitForSelector('#alert:not([hidden])');
    t.match(await text(page, '#alert-title'), 'Furniture Factory 7');
    const after = await brigade(page);
    t.equal(after.stats.alerts, 1, 'one red alert');
    t.equal(after.stats.alertsSounded, after.sound.audible ? 1 : 0, `sounded (audio context running: ${after.sound.audible})`);
    t.ok(after.sound.played.alarm >= (after.sound.audible ? 1 : 0), 'the alarm pattern went to the audio context');
    t.equal(after.selected, incidentId, 'the red incident is selected');
    t.equal(await page.title(), fill(zh['brigade.titleAlert'], { count: 1, title: fill(zh['rule.fire-alarm'], { where: 'Furniture Factory 7' }) }), 'the tab title says it too');
    await page.waitForTimeout(300);
    await page.screenshot({ path: 'test-output/brigade.png' });

    await quiet.waitForSelector('#alert:not([hidden])');
    t.ok(await quiet.locator('#alert-silent').isVisible(), 'a console without sound says it cannot be heard');
    t.ok(await quiet.locator('#alert-sound').isVisible(), 'and offers to enable it');
    const silent = await brigade(quiet);
    t.match(silent, { stats: { alerts: 1, alertsSounded: 0 }, sound: { state: 'off' } }, 'alerted, not sounded');
    await quiet.close();
  });

  await t.test('acknowledge: recorded with the brigade account in the audit trail', async (t) => {
    t.equal(await text(page, `${card()} [data-action="ack"]`), zh['brigade.ack']);
    await page.click(`${card()} [data-action="ack"]`);
    await page.waitForSelector(`${card()} [data-part="acked"]:not([hidden])`, { timeout: 3000 });
    t.match(await text(page, `${card()} [data-part="acked"]`), /brigade:fire-desk 已确认/);
    t.ok(await page.locator(`${card()} [data-action="ack"]`).isHidden(), 'nothing left to acknowledge');
    await page.waitForSelector('#alert', { state: 'hidden' });
    t.equal(await page.title(), zh['brigade.title'], 'the alert is over');
    const view = (await h.http('GET', `/api/incidents/${incidentId}`)).json;
    t.equal(view.incident.acknowledgedBy, 'brigade:fire-desk');
    t.match(view.audit.find((entry: { action: string }) => entry.action === 'acknowledged'), { actor: 'brigade:fire-desk', at: Number }, 'in the audit trail');
    t.equal((await brigade(page)).stats.acks, 1);
  });

  await t.test('English on switch', async (t) => {
    await page.click('#lang');
    await page.waitForFunction((title) => (globalThis as unknown as PageGlobal).document.querySelector('h1')?.textContent === title, en['brigade.heading']);
    t.equal(await page.getAttribute('html', 'lang'), 'en');
    t.equal(await page.title(), en['brigade.title']);
    t.equal(await text(page, `${card()} [data-part="severity"]`), 'Red');
    t.equal(await text(page, `${card()} [data-part="title"]`), 'Fire alarm at Furniture Factory 7');
    t.equal(await text(page, `${card()} [data-part="confirmed"]`), en['brigade.badge.confirmed']);
    t.match(await text(page, `${card()} [data-part="acked"]`), /^Acknowledged by brigade:fire-desk at \d\d:\d\d:\d\d$/);
    t.match(await text(page, `${card()} [data-part="eta"]`), /^ETA \d\d:\d\d$|^ETA passed/);
    t.equal(await text(page, '#cameras tr[data-camera-id="cam-road"] .camera-state'), en['brigade.camera.alarm']);
    t.equal(await text(page, '#cameras tr[data-camera-id="cam-gate"] .distance'), '35 m');
    t.equal(await text(page, '#sound'), en['brigade.sound.on']);
    t.equal(await text(page, '#conn'), en['conn.live']);
    await page.screenshot({ path: 'test-output/brigade-en.png' });
    await page.click('#lang');
    await page.waitForFunction((title) => (globalThis as unknown as PageGlobal).document.querySelector('h1')?.textContent === title, zh['brigade.heading']);
  });

  await t.test('readable on a phone', async (t) => {
    const phone = await chromium.context.newPage();
    phone.on('pageerror', (err) => pageErrors.push(err.message));
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${base}/brigade`);
    await phone.waitForSelector('#conn[data-state="live"]');
    await phone.waitForSelector(`${card()} .team-name`);
    await phone.waitForFunction(() => (globalThis as unknown as PageGlobal).document.querySelectorAll('#cameras tr').length === 5, undefined, { timeout: 5000 });
    const width = await phone.evaluate(() => {
      const root = (globalThis as unknown as PageGlobal).document.documentElement;
      return { scroll: root.scrollWidth, client: root.clientWidth };
    });
    t.ok(width.scroll <= width.client, `no sideways scrolling (${width.scroll} ≤ ${width.client})`);
    const box = await phone.locator('#map').boundingBox();
    t.ok(box && box.width >= 350 && box.height >= 300, `the map is usable: ${box?.width}×${box?.height}`);
    const ack = await phone.locator(`${card()} [data-part="title"]`).boundingBox();
    t.ok(ack && ack.y < 844, 'the incident is on the first screen');
    await phone.screenshot({ path: 'test-output/brigade-phone.png', fullPage: true });
    await phone.close();
  });

  await t.test('a resolved incident leaves the console', async (t) => {
    t.equal((await h.http('POST', `/api/incidents/${incidentId}/resolve`, { note: 'put out by the brigade' })).status, 200);
    await page.waitForSelector(card(), { state: 'detached', timeout: 3000 });
    t.ok(await page.locator('#no-incidents').isVisible(), 'no fire incidents');
    t.ok(await page.locator('#detail-none').isVisible(), 'nothing selected');
  });

  t.same(pageErrors, [], 'no errors or warnings in the page console');
});

t.test('/brigade: brigade, operators and admins; other roles refused; no words in the markup', async (t) => {
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9' });
  t.teardown(() => h.stop());
  const base = `http://127.0.0.1:${h.addresses.httpPort}`;
  const teamTracker = await h.http('POST', '/api/devices', { id: 'team-x-tracker', site: 'testvillage', kind: 'team', model: 'patrolink/t1' });
  assert.equal(teamTracker.status, 201);
  assert.equal((await h.http('POST', '/api/teams', { id: 'team-x', name: 'X', trackerDeviceId: 'team-x-tracker' })).status, 201);
  const get = (path: string, session?: string) => fetch(base + path, { redirect: 'manual', headers: session ? { cookie: `vsg_session=${session}` } : {} });

  const anonymous = await get('/brigade');
  t.equal(anonymous.status, 302);
  t.equal(anonymous.headers.get('location'), '/login?next=%2Fbrigade', 'no session: the login page, which brings them back');

  const sessions = {
    brigade: await login(h, 'desk-brigade', 'brigade'),
    operator: await login(h, 'desk-operator', 'operator'),
    admin: await login(h, 'desk-admin', 'admin'),
    installer: await login(h, 'desk-installer', 'installer'),
    team: await login(h, 'desk-team', 'team', { teamId: 'team-x' }),
  };
  for (const role of ['brigade', 'operator', 'admin'] as const) {
    const page = await get('/brigade', sessions[role]);
    t.equal(page.status, 200, `${role} may open it`);
    t.match(page.headers.get('content-security-policy'), /default-src 'self'/);
  }
  for (const role of ['installer', 'team'] as const) {
    const refused = await get('/brigade', sessions[role]);
    t.equal(refused.status, 403, `${role} is refused`);
    t.equal(((await refused.json()) as { code: string }).code, 'GW_FORBIDDEN');
  }
  t.equal((await get('/wall', sessions.brigade)).status, 403, 'the brigade has its console, not the wall');
  const nearby = await fetch(`${base}/api/incidents/1/nearby-cameras`, { headers: { cookie: `vsg_session=${sessions.installer}` } });
  t.equal(nearby.status, 403, 'nor the nearby cameras for an installer');

  const html = await (await get('/brigade', sessions.brigade)).text();
  t.notMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script');
  t.notMatch(html, /https?:\/\//, 'no external URL (no CDN, no fonts, no tiles)');
  const visible = html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  t.equal(visible, '', 'no words in the markup: every string comes from a catalogue');
  for (const asset of ['brigade.js', 'brigade.css', 'lib/brigade-state.js', 'lib/brigade-incidents.js', 'lib/brigade-cameras.js', 'lib/brigade-sound.js', 'i18n/brigade.zh-CN.json', 'i18n/brigade.en.json']) {
    const response = await fetch(`${base}/web/${asset}`);
    t.equal(response.status, 200, asset);
    t.notMatch(await response.text(), /https?:\/\/(?!127\.0\.0\.1)/, `${asset}: nothing fetched from elsewhere`);
  }
});
