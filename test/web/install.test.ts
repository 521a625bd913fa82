import t from 'tap';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { findModel } from '../../devices/index.js';
import { generateCode } from '../../src/pairing/code-format.js';
import { ADMIN_TOKEN, examplePayload, startGateway } from '../support/gateway-harness.js';
import { launchChromium } from './chromium.js';
import { at, writeSite } from './village.js';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../src/web/public/i18n/${name}.json`, import.meta.url), 'utf8')) as Record<string, string>;
const zh: Record<string, string> = { ...load('zh-CN'), ...load('install.zh-CN') };
const en: Record<string, string> = { ...load('en'), ...load('install.en') };
/** A catalogue text with its placeholders filled, as the page words it. */
const words = (catalogue: Record<string, string>, key: string, params: Record<string, string | number> = {}) => {
  const text = catalogue[key];
  assert.ok(text !== undefined, `no text for ${key}`);
  return text.replace(/\{(\w+)\}/g, (_whole, name: string) => String(params[name] ?? ''));
};

const INSTALLER = { username: 'ivan', displayName: 'Ivan Installer', role: 'installer', password: 'correct horse battery' };
const OPERATOR = { username: 'olga', displayName: 'Olga Operator', role: 'operator', password: 'another long password' };
const BRIGADE = { username: 'bert', displayName: 'Bert Brigade', role: 'brigade', password: 'yet another long one' };
/** The installer stands next to the furniture factory: the phone's position the test gives Chromium. */
const [PHONE_LON, PHONE_LAT] = at(1000, 60);
const FIRE_MODEL = findModel('emberline/d10')!;

/** Browser globals for page.evaluate callbacks (the test compiles without the DOM library). */
interface PageGlobal {
  document: {
    documentElement: { lang: string; scrollWidth: number; clientWidth: number };
    querySelector(selector: string): { textContent: string | null; getBoundingClientRect(): { left: number; top: number } } | null;
    body: { innerText: string };
  };
  navigator: { clipboard: { readText(): Promise<string> } };
  __install: { picker: { map: { project(lon: number, lat: number): [number, number] } } };
}

function connect(port: number, options: IClientOptions): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

t.test('the installer pairs a device from claim code to "test event received", on a phone, in a real Chromium', async (t) => {
  const siteDir = mkdtempSync(join(tmpdir(), 'install-site-'));
  t.teardown(() => rmSync(siteDir, { recursive: true, force: true }));
  writeSite(siteDir);
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9', SITE_DIR: siteDir });
  t.teardown(() => h.stop());
  const base = `http://127.0.0.1:${h.addresses.httpPort}`;
  const mqttPort = h.addresses.mqttPort;
  const clients: MqttClient[] = [];
  t.teardown(async () => void (await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)))));

  for (const account of [INSTALLER, OPERATOR, BRIGADE]) assert.equal((await h.http('POST', '/api/accounts', account)).status, 201, account.username);
  /**
   * The status of a request, its body read to the end: an unread body keeps its keep-alive socket busy, and
   * the gateway's HTTP server then waits for it on close (about a minute) instead of closing at once.
   */
  const statusOf = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(base + path, init);
    await response.arrayBuffer();
    return response.status;
  };
  const logIn = async (account: { username: string; password: string }) => {
    const response = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: account.username, password: account.password }) });
    await response.arrayBuffer();
    const session = /vsg_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
    assert.ok(session, `${account.username} logged in`);
    return `vsg_session=${session}`;
  };

  // The admin prints stickers: four fire detectors for this village, one for another village on the same gateway.
  const batch = await h.http('POST', '/api/pairing/claim-codes', { site: 'testvillage', kind: 'fire', count: 4, label: 'factories' });
  assert.equal(batch.status, 201, batch.text);
  const codes = (batch.json.codes as { code: string }[]).map((c) => c.code);
  const other = await h.http('POST', '/api/pairing/claim-codes', { site: 'othervillage', kind: 'fire', count: 1 });
  const otherCode = (other.json.codes as { code: string }[])[0]!.code;
  const [typedCode, spentCode, linkedCode, scannedCode] = codes as [string, string, string, string];
  // A sticker already claimed by someone else.
  const spent = await h.http('POST', '/api/pairing/claim', { code: spentCode, model: 'emberline/d10', lon: PHONE_LON, lat: PHONE_LAT });
  assert.equal(spent.status, 201, spent.text);
  const spentDevice = spent.json.deviceId as string;
  // A well-formed code that was never generated here, and a typo in a real one.
  let unknownCode = generateCode('FD').code;
  while (codes.includes(unknownCode)) unknownCode = generateCode('FD').code;
  const typo = typedCode.slice(0, -1) + (typedCode.endsWith('X') ? 'Y' : 'X');

  await t.test('/install: installers and admins; no session → the log-in page; other roles refused', async (t) => {
    const anonymous = await fetch(`${base}/install`, { redirect: 'manual' });
    await anonymous.arrayBuffer();
    t.equal(anonymous.status, 302);
    t.equal(anonymous.headers.get('location'), '/login?next=%2Finstall');
    for (const account of [OPERATOR, BRIGADE]) {
      const refused = await fetch(`${base}/install`, { headers: { cookie: await logIn(account) }, redirect: 'manual' });
      t.equal(refused.status, 403, `${account.role} may not open /install`);
      t.equal(((await refused.json()) as { code: string }).code, 'GW_FORBIDDEN');
    }
    const installerCookie = await logIn(INSTALLER);
    const page = await fetch(`${base}/install`, { headers: { cookie: installerCookie } });
    t.equal(page.status, 200);
    t.match(page.headers.get('content-security-policy'), /default-src 'self'/, 'the gateway CSP: no inline script, nothing from elsewhere');
    const html = await page.text();
    t.notMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script');
    t.notMatch(html, /https?:\/\//, 'no external URL (no CDN, fonts or tiles)');
    t.equal(html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim(), '', 'no words in the markup: every string comes from a catalogue');
    t.equal(await statusOf('/install', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }), 200, 'an admin may open it too');
    for (const asset of ['/web/install.js', '/web/install.css', '/web/lib/install-place.js', '/web/i18n/install.zh-CN.json']) t.equal(await statusOf(asset), 200, asset);

    const operatorCookie = await logIn(OPERATOR);
    const claim = await statusOf('/api/pairing/claim', {
      method: 'POST',
      headers: { cookie: operatorCookie, 'content-type': 'application/json' },
      body: JSON.stringify({ code: typedCode, model: 'emberline/d10', lon: PHONE_LON, lat: PHONE_LAT }),
    });
    t.equal(claim, 403, 'an operator cannot claim a device');
    t.equal(await statusOf('/api/pairing/sites', { headers: { cookie: operatorCookie } }), 403, 'nor list the pairing sites');
  });

  const chromium = await launchChromium({ width: 390, height: 844 });
  t.teardown(() => chromium.close());
  const { context } = chromium;
  await context.grantPermissions(['geolocation', 'clipboard-read', 'clipboard-write'], { origin: base });
  await context.setGeolocation({ latitude: PHONE_LAT, longitude: PHONE_LON, accuracy: 8 });
  const pageErrors: string[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (message) => {
      if (message.type() !== 'error' && message.type() !== 'warning') return;
      // Expected: the refused look-ups and claims the test provokes are failed requests in Chromium's console.
      // So is the network cut on purpose.
      if (/Failed to load resource: (the server responded with a status of (400|404|409)|net::ERR_INTERNET_DISCONNECTED)/.test(message.text())) return;
      pageErrors.push(message.text());
    });
    return page;
  };
  const page = watch(await context.newPage());
  const text = (selector: string) => page.locator(selector).first().innerText();
  const noSidewaysScroll = async (what: string) => {
    const overflow = await page.evaluate(() => (globalThis as unknown as PageGlobal).document.documentElement.scrollWidth - (globalThis as unknown as PageGlobal).document.documentElement.clientWidth);
    t.equal(overflow, 0, `${what}: fits the phone, no sideways scrolling`);
  };
  mkdirSync('test-output', { recursive: true });
  const lookUp = async (code: string) => {
    await page.fill('#code', code);
    await page.click('#lookup');
    await page.waitForFunction(() => {
      const button = (globalThis as unknown as PageGlobal).document.querySelector('#lookup') as unknown as { disabled: boolean } | null;
      return button !== null && !button.disabled;
    });
  };
  const codeError = async () => {
    await page.waitForSelector('#code-error:not([hidden])');
    return text('#code-error-text');
  };

  await t.test('the installer logs in for real and lands on the page, in Simplified Chinese', async (t) => {
    await page.goto(`${base}/install`);
    await page.waitForSelector('#login-form');
    await page.waitForSelector('body[data-ready="true"]');
    await page.fill('#username', INSTALLER.username);
    await page.fill('#password', INSTALLER.password);
    await page.click('#submit');
    await page.waitForURL((url) => url.pathname === '/install');
    await page.waitForSelector('body[data-ready="true"]');
    t.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    t.equal(await page.title(), zh['install.title']);
    t.equal(await text('h1'), zh['install.heading']);
    t.equal(await text('#who'), INSTALLER.displayName);
    t.equal(await text('#lookup'), zh['install.code.lookup']);
    const hasReader = await page.evaluate(() => 'BarcodeDetector' in globalThis);
    t.equal(await page.locator('#scan').isHidden(), !hasReader, 'no barcode reader in this browser: no scan button, the code is typed');
    t.ok(await page.locator('#site-field').isVisible(), 'codes exist for two sites: the installer says which one they are on');
    await noSidewaysScroll('the first step');
  });

  await t.test('clear errors: no site chosen, typo, unknown code, already used, wrong site', async (t) => {
    await lookUp(typedCode);
    t.equal(await codeError(), zh['install.error.chooseSite']);
    await page.selectOption('#site', 'testvillage');

    await lookUp('');
    t.equal(await codeError(), zh['install.error.empty']);
    await lookUp(typo);
    t.equal(await codeError(), words(zh, 'install.error.typo', { code: typo }), 'a typo is caught by the check character, not called unknown');
    await lookUp('FD-0000-0000');
    t.equal(await codeError(), zh['install.error.format']);
    await lookUp(unknownCode);
    t.equal(await codeError(), words(zh, 'install.error.unknown', { code: unknownCode }));

    await lookUp(spentCode.toLowerCase());
    const used = await codeError();
    t.match(used, new RegExp(`^认领码 ${spentCode} 已于 \\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d 被 admin-token 用于设备 ${spentDevice}`), `already used, when, by whom, for which device: ${used}`);
    t.ok(await page.locator('#follow-used').isHidden(), 'someone else\'s device: nothing to follow');

    await lookUp(otherCode);
    t.equal(await codeError(), words(zh, 'install.error.wrongSite', { code: otherCode, codeSite: 'othervillage', site: 'testvillage' }));
    t.equal(await text('#switch-site'), words(zh, 'install.code.switchSite', { site: 'othervillage' }), 'with the way out when the installer really is there');
    t.ok(await page.locator('#step-model').isHidden(), 'no next step for a refused code');
    await page.screenshot({ path: 'test-output/install-errors.png', fullPage: true });
  });

  let deviceId = '';
  let secret = '';
  await t.test('a typed code (any case, no dashes) → model → placed by a tap on the map, then by the phone position → registered', async (t) => {
    await lookUp(typedCode.replace(/-/g, '').toLowerCase());
    await page.waitForSelector('#code-found:not([hidden])');
    t.equal(await text('#code-found'), words(zh, 'install.code.found', { code: typedCode, kind: zh['kind.fire']!, site: 'testvillage' }));
    t.equal(await page.inputValue('#code'), typedCode, 'the code as printed');
    t.ok(await page.locator('#code-error').isHidden());
    t.equal(await page.locator('#models input[type="radio"]:checked').getAttribute('value'), 'emberline/d10', 'the only fire model is chosen');
    t.equal(await text('#place-line'), zh['install.place.none']);

    await page.click('#claim');
    t.equal(await text('#claim-error-text'), zh['install.error.noPlace'], 'not without a place');

    // A tap on the map, where Furniture Factory 7's hall is (a point of the site, projected by the page's own map).
    const [tapLon, tapLat] = at(1000, 0);
    await page.locator('#map').scrollIntoViewIfNeeded();
    const point = await page.evaluate(([lon, lat]) => (globalThis as unknown as PageGlobal).__install.picker.map.project(lon!, lat!), [tapLon, tapLat]);
    const box = (await page.locator('#map').boundingBox())!;
    await page.mouse.click(box.x + point[0], box.y + point[1]);
    await page.waitForSelector('#place-line[data-placed="map"]');
    const tapped = /纬度 ([\d.]+)，经度 ([\d.]+)/.exec(await text('#place-line'));
    t.ok(tapped, 'the tapped place is shown');
    t.ok(Math.abs(Number(tapped![1]) - tapLat) < 2e-4 && Math.abs(Number(tapped![2]) - tapLon) < 2e-4, `the tap is where it was made: ${tapped![0]} vs ${tapLat}, ${tapLon}`);
    t.match(await text('#place-line'), zh['install.place.fromMap']!);

    await page.click('#locate');
    await page.waitForSelector('#place-line[data-placed="gps"]');
    t.equal(
      await text('#place-line'),
      `${words(zh, 'install.place.at', { lat: PHONE_LAT.toFixed(6), lon: PHONE_LON.toFixed(6) })} ${words(zh, 'install.place.fromGps', { accuracy: 8 })}`,
      'the phone position, with its accuracy',
    );
    t.ok(await page.locator('#place-warning').isHidden(), 'inside the site: no warning');
    await page.fill('#name', 'Furniture Factory 7, hall 2');
    await noSidewaysScroll('the place step');
    await page.screenshot({ path: 'test-output/install-place.png', fullPage: true });

    await page.click('#claim');
    await page.waitForSelector('#step-credentials:not([hidden])');
    deviceId = (await text('#cred-device')).trim();
    secret = (await text('#cred-secret')).trim();
    t.equal(deviceId, `fd-${typedCode.slice(3).replace('-', '').toLowerCase()}`);
    t.match(secret, /^[\w-]{32}$/, 'the secret, shown once');
    t.equal(await text('#step-credentials .warning'), zh['install.cred.warning'], 'with a clear "write it down, it will not be shown again"');
    t.equal(await text('#cred-server'), `mqtt://127.0.0.1:${mqttPort}`);
    t.equal(await text('#cred-topic'), `v1/testvillage/fire/${deviceId}/event\nv1/testvillage/fire/${deviceId}/status`);
    const qr = await page.evaluate(() => {
      const img = (globalThis as unknown as PageGlobal).document.querySelector('#cred-qr') as unknown as { naturalWidth: number; src: string };
      return { width: img.naturalWidth, src: img.src.slice(0, 27) };
    });
    t.same(qr, { width: qr.width, src: 'data:image/svg+xml;charset=' }, 'the configuration QR, as an image from the claim answer');
    t.ok(qr.width > 0, 'and it renders');
    await page.click('[data-copy="secret"]');
    await page.waitForFunction((copied) => (globalThis as unknown as PageGlobal).document.querySelector('#copy-status')?.textContent === copied, zh['install.cred.copied']);
    t.equal(await page.evaluate(() => (globalThis as unknown as PageGlobal).navigator.clipboard.readText()), secret, 'the copy button copies the secret');
    t.ok(await page.locator('#step-code').isHidden(), 'the code step is done');
    t.match(await text('#p-seen'), /等待设备的第一条消息…（已等 00:0\d）/, 'waiting for the first message, counting');
    t.ok(await page.locator('#commission').isDisabled(), 'nothing to commission yet');
    await noSidewaysScroll('the credentials');
    await page.screenshot({ path: 'test-output/install-credentials.png', fullPage: true });

    const registered = (await h.http('GET', `/api/devices/${deviceId}`)).json;
    t.match(registered, { id: deviceId, site: 'testvillage', kind: 'fire', model: 'emberline/d10', name: 'Furniture Factory 7, hall 2' });
    t.ok(Math.abs(registered.lon - PHONE_LON) < 1e-9 && Math.abs(registered.lat - PHONE_LAT) < 1e-9, 'registered at the phone position');
  });

  await t.test('a wrong secret shows as the likely cause; the right one, then the model\'s example → "seen ✓", the test → "test event received ✓", commissioned', async (t) => {
    await page.click('#cred-noted');
    await t.rejects(connect(mqttPort, { clientId: deviceId, username: deviceId, password: 'not-the-secret-at-all' }), /Bad username or password|Not authorized/);
    await page.waitForSelector('#causes li[data-cause="wrong_secret"]', { timeout: 5000 });
    t.equal(await text('#problems-heading'), zh['install.problems.heading']);
    t.equal(await text('#causes li[data-cause="wrong_secret"] strong'), zh['install.cause.wrongSecret.title']);
    t.equal(await text('#causes li[data-cause="wrong_secret"] p'), zh['install.cause.wrongSecret.hint']);
    await page.screenshot({ path: 'test-output/install-wrong-secret.png', fullPage: true });

    const device = await connect(mqttPort, {
      clientId: deviceId,
      username: deviceId,
      password: secret,
      will: { topic: `v1/testvillage/fire/${deviceId}/status`, payload: Buffer.from('{"online":false}'), qos: 1, retain: false },
    });
    clients.push(device);
    await device.publishAsync(`v1/testvillage/fire/${deviceId}/status`, examplePayload(FIRE_MODEL, 'status'), { qos: 1 });
    await page.waitForSelector('#p-seen[data-state="done"]', { timeout: 5000 });
    t.equal(await text('#p-seen .text'), zh['install.progress.seen']);
    t.equal(await text('#p-connected .text'), zh['install.progress.connected']);
    t.equal(await text('#test-hint'), zh['install.test.fire'], 'asks for the test: press the TEST button');
    t.ok(await page.locator('#problems').isHidden(), 'the wrong secret is history once the device was heard');
    t.ok(await page.locator('#commission').isDisabled(), 'still nothing to commission');

    await device.publishAsync(`v1/testvillage/fire/${deviceId}/event`, JSON.stringify({ event: 'test', sensor: 'smoke' }), { qos: 1 });
    await page.waitForSelector('#p-test[data-state="done"]', { timeout: 5000 });
    t.equal(await text('#p-test .text'), zh['install.progress.testReceived']);
    t.ok(await page.locator('#test-ask').isHidden());
    t.ok(await page.locator('#commission').isEnabled());
    await page.screenshot({ path: 'test-output/install-tested.png', fullPage: true });

    await page.click('#commission');
    await page.waitForSelector('#p-commissioned[data-state="done"]');
    t.equal(await text('#p-commissioned .text'), words(zh, 'install.progress.commissioned', { by: INSTALLER.username }));
    t.match((await h.http('GET', `/api/pairing/devices/${deviceId}`)).json, { state: 'commissioned', commissionedBy: INSTALLER.username, claimedBy: INSTALLER.username });
    t.ok(await page.locator('#step-credentials').isHidden(), 'the credentials leave the page once it is commissioned');
    t.notOk((await page.content()).includes(secret), 'the secret is nowhere in the page any more');
    t.ok(await page.locator('#next-device').isVisible());
    await noSidewaysScroll('the end');
    await page.screenshot({ path: 'test-output/install-done.png', fullPage: true });
  });

  await t.test('English on switch, every word, and back', async (t) => {
    await page.click('#lang');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.documentElement.lang === 'en');
    t.equal(await page.title(), en['install.title']);
    t.equal(await text('h1'), en['install.heading']);
    t.equal(await text('#p-seen .text'), en['install.progress.seen']);
    t.equal(await text('#p-test .text'), en['install.progress.testReceived']);
    t.equal(await text('#p-commissioned .text'), words(en, 'install.progress.commissioned', { by: INSTALLER.username }));
    t.equal(await text('#next-device'), en['install.progress.next']);
    t.equal(await text('#lang'), en['lang.switch'], 'the way back to Chinese');
    const screen = (await page.evaluate(() => (globalThis as unknown as PageGlobal).document.body.innerText)).replace(en['lang.switch']!, '');
    t.notMatch(screen, /[\u4e00-\u9fff]/, 'no Chinese left on the screen (but the switch back to 中文)');
    await page.screenshot({ path: 'test-output/install-en.png', fullPage: true });
    await page.click('#lang');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.documentElement.lang === 'zh-CN');
    t.equal(await text('h1'), zh['install.heading']);
  });

  await t.test('a sticker whose QR is a link to /install?code=…: silent for the page\'s wait, then publishing to a wrong topic', async (t) => {
    await page.click('#next-device');
    t.ok(await page.locator('#step-code').isVisible(), 'ready for the next device');
    t.equal(await page.inputValue('#code'), '');
    // The page's wait before it calls a device silent is 5 minutes; ?wait= shortens it (minutes).
    await page.goto(`${base}/install?code=${encodeURIComponent(linkedCode.toLowerCase())}&wait=0.05`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#code-found:not([hidden])');
    t.equal(await page.inputValue('#code'), linkedCode, 'looked up from the address');
    t.equal(await page.inputValue('#site'), 'testvillage', 'the site chosen before is remembered');
    await page.click('#locate');
    await page.waitForSelector('#place-line[data-placed="gps"]');
    await page.click('#claim');
    await page.waitForSelector('#step-credentials:not([hidden])');
    const id = (await text('#cred-device')).trim();
    const pass = (await text('#cred-secret')).trim();
    t.notOk(new URL(page.url()).searchParams.has('code'), 'the spent code leaves the address');
    await page.click('#cred-noted');

    await page.waitForSelector('#problems[data-overdue="true"]', { timeout: 8000 });
    t.equal(await text('#problems-heading'), words(zh, 'install.problems.overdue', { minutes: '0.05' }));
    t.equal(await text('#causes li[data-cause="silent"] strong'), zh['install.cause.silent.title']);
    await page.screenshot({ path: 'test-output/install-silent.png', fullPage: true });

    // Right credentials, but its firmware publishes under another site: the broker's ACL refuses and drops it.
    const device = await connect(mqttPort, { clientId: id, username: id, password: pass });
    clients.push(device);
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    const wrongTopic = `v1/othervillage/fire/${id}/status`;
    device.publish(wrongTopic, examplePayload(FIRE_MODEL, 'status'), { qos: 1 });
    await closed;
    await page.waitForSelector('#causes li[data-cause="acl_publish"]', { timeout: 5000 });
    t.equal(await text('#causes li[data-cause="acl_publish"] strong'), words(zh, 'install.cause.wrongTopic.title', { detail: wrongTopic }));
    t.equal(
      await text('#causes li[data-cause="acl_publish"] p'),
      words(zh, 'install.cause.wrongTopic.hint', { event: `v1/testvillage/fire/${id}/event`, status: `v1/testvillage/fire/${id}/status` }),
      'with the two topics it may use',
    );
    t.equal(await text('#p-connected .text'), zh['install.progress.connected'], 'its credentials were right');
    t.equal(await page.getAttribute('#p-seen', 'data-state'), 'current', 'but nothing was seen');
    await page.screenshot({ path: 'test-output/install-wrong-topic.png', fullPage: true });

    // The phone loses the network for a moment: said so, with the time of the last update; back by itself.
    await page.route('**/api/pairing/devices/**', (route) => route.abort('internetdisconnected'));
    await page.waitForSelector('#offline:not([hidden])', { timeout: 5000 });
    t.match(await text('#offline'), /^与网关的连接中断，正在重试…（最后更新 \d\d:\d\d:\d\d）$/);
    await page.unroute('**/api/pairing/devices/**');
    await page.waitForSelector('#offline', { state: 'hidden', timeout: 8000 });
    t.pass('the banner leaves when the gateway answers again');

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#step-progress:not([hidden])');
    t.equal(await page.locator('#causes li[data-cause="acl_publish"]').count(), 1, 'a reload resumes following the device');
    t.ok(await page.locator('#step-credentials').isHidden(), 'but the credentials were shown once and are gone');
  });

  await t.test('where the browser has a barcode reader: scan the sticker (a link QR) with the camera', async (t) => {
    const scanning = watch(await context.newPage());
    // Headless Chromium on Linux has no BarcodeDetector and no camera: stand-ins that "see" a sticker whose QR is a link.
    await scanning.addInitScript((link: string) => {
      const w = globalThis as unknown as Record<string, unknown> & { navigator: { mediaDevices: Record<string, unknown> }; document: { createElement(tag: string): { width: number; height: number; getContext(kind: string): { fillRect(...n: number[]): void }; captureStream(): unknown } } };
      w['BarcodeDetector'] = class {
        static async getSupportedFormats() {
          return ['qr_code'];
        }
        async detect() {
          return [{ rawValue: link, format: 'qr_code' }];
        }
      };
      w.navigator.mediaDevices.getUserMedia = async () => {
        const canvas = w.document.createElement('canvas');
        canvas.width = 64;
        canvas.height = 64;
        canvas.getContext('2d').fillRect(0, 0, 64, 64);
        return canvas.captureStream();
      };
    }, `http://gateway.village.lan/install?code=${scannedCode}`);
    await scanning.goto(`${base}/install`);
    await scanning.waitForSelector('body[data-ready="true"]');
    t.ok(await scanning.locator('#scan').isVisible(), 'a scan button where scanning works');
    await scanning.click('#scan');
    await scanning.waitForSelector('#code-found:not([hidden])', { timeout: 5000 });
    t.equal(await scanning.inputValue('#code'), scannedCode, 'the code from the link in the QR');
    t.ok(await scanning.locator('#scanner').isHidden(), 'the camera view closes');

    // On another phone (no session storage to resume from), the code of the device being commissioned: follow it.
    await scanning.fill('#code', linkedCode);
    await scanning.click('#lookup');
    await scanning.waitForSelector('#code-error:not([hidden])');
    t.match(await scanning.locator('#code-error-text').innerText(), new RegExp(`^认领码 ${linkedCode} 已于 .* 由您用于设备 fd-`), 'the installer\'s own device');
    await scanning.click('#follow-used');
    await scanning.waitForSelector('#causes li[data-cause="acl_publish"]');
    t.ok(await scanning.locator('#step-credentials').isHidden(), 'its progress, without the credentials');
    await scanning.close();
  });

  t.same(pageErrors, [], 'no script errors or missing words on the page');
});
