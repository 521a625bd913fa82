import t from 'tap';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { modelsForKind } from '../../devices/index.js';
import { startGateway, waitFor, type Harness } from '../support/gateway-harness.js';
import { launchChromium } from './chromium.js';

// The browser runs in another zone than the site: every time on the page must still be the site's (Asia/Shanghai).
process.env.TZ = 'America/New_York';

const catalogue = (name: string) => JSON.parse(readFileSync(new URL(`../../src/web/public/i18n/${name}.json`, import.meta.url), 'utf8')) as Record<string, string>;
const zh = { ...catalogue('zh-CN'), ...catalogue('admin.zh-CN') };
const en = { ...catalogue('en'), ...catalogue('admin.en') };
/** A catalogue text with its placeholders filled, as the page words it. */
const say = (text: string | undefined, params: Record<string, string | number> = {}) => (text ?? '').replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));

const SITE = 'testvillage';
const ID_NUMBER = '330106199001011234';
const ID_MASKED = '330***********1234';
const CSV_ID_NUMBER = '110101198001010019';
const UID = '9F8E7D6C5B4A';
const UID_MASKED = '9F8*****5B4A';
const ADMIN = { username: 'office-admin', displayName: '村委会 管理员', role: 'admin', password: 'correct horse battery' };
const OPERATOR = { username: 'duty-op', displayName: 'Duty operator', role: 'operator', password: 'operator password 1' };
const INSTALLER = { username: 'fitter', displayName: 'Installer', role: 'installer', password: 'installer password 1' };
const BRIGADE = { username: 'fire-desk', displayName: 'Brigade desk', role: 'brigade', password: 'brigade password 1' };
/** Shanghai wall-clock 2025-03-01 08:30 (UTC+8). */
const REPORTED_AT = Date.UTC(2025, 2, 1, 0, 30);

/** Browser globals for page.evaluate callbacks (the test compiles without the DOM library). */
interface PageGlobal {
  document: { querySelector(selector: string): { textContent: string | null } | null; documentElement: { lang: string } };
}

async function sessionOf(h: Harness, username: string, password: string): Promise<string> {
  const login = await fetch(`http://127.0.0.1:${h.addresses.httpPort}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const session = /vsg_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
  assert.ok(session, `${username} logged in (${login.status})`);
  return session;
}

t.test('the admin page in a real Chromium, against a gateway with real SQLite', async (t) => {
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9' });
  t.teardown(() => h.stop());
  const base = `http://127.0.0.1:${h.addresses.httpPort}`;
  for (const account of [ADMIN, OPERATOR, INSTALLER, BRIGADE]) assert.equal((await h.http('POST', '/api/accounts', account)).status, 201, account.username);

  // A camera that is online, a fire detector never heard of: the devices tab shows their health.
  const camera = await h.register('camera', { id: 'cam-gate-1' });
  await h.register('fire', { id: 'fd-school-1' });
  const cameraClient = await h.connect(camera);
  t.teardown(() => cameraClient.endAsync().catch(() => undefined));
  await waitFor('the camera online', async () => (await h.http('GET', '/api/devices/cam-gate-1')).json.online === true);

  await t.test('non-admin roles are refused: the page and every API it changes things with', async (t) => {
    t.equal((await fetch(`${base}/admin`, { redirect: 'manual' })).headers.get('location'), '/login?next=%2Fadmin', 'no session: to the log-in page');
    const hash = 'a'.repeat(64);
    const writes: [string, string, unknown][] = [
      ['POST', `/api/registers/room-cards/${SITE}/9-999`, { card: '04A1B2C3' }],
      ['PATCH', `/api/registers/room-cards/${SITE}/9-999/${hash}`, { tenantName: 'x' }],
      ['DELETE', `/api/registers/room-cards/${SITE}/9-999/${hash}`, undefined],
      ['POST', '/api/registers/blacklist', { site: SITE, card: '04A1B2C3', reason: 'x' }],
      ['PATCH', `/api/registers/blacklist/${SITE}/${hash}`, { reason: 'x' }],
      ['DELETE', `/api/registers/blacklist/${SITE}/${hash}`, undefined],
      ['POST', '/api/registers/stolen-tags', { tag: 'T0001E240', ownerName: 'x', ownerContact: 'y' }],
      ['POST', '/api/registers/stolen-tags/T0001E240/recover', {}],
      ['POST', '/api/registers/room-cards/import.csv', { csv: 'site,room,card\r\n' }],
      ['POST', '/api/registers/blacklist/import.csv', { csv: 'site,card,reason\r\n' }],
      ['POST', '/api/registers/stolen-tags/import.csv', { csv: 'tag,owner_name,owner_contact\r\n' }],
      ['POST', '/api/devices', { id: 'x-1', site: SITE, kind: 'fire', model: 'x/y' }],
      ['POST', '/api/devices/cam-gate-1/disable', {}],
      ['POST', '/api/devices/cam-gate-1/enable', {}],
      ['POST', '/api/devices/cam-gate-1/secret', {}],
      ['DELETE', '/api/devices/cam-gate-1', undefined],
      ['POST', '/api/teams', { id: 'team-x', name: 'X', trackerDeviceId: 'trk-x' }],
      ['DELETE', '/api/teams/team-x', undefined],
      ['POST', '/api/pairing/claim-codes', { site: SITE, kind: 'fire', count: 1 }],
      ['POST', '/api/brigade/subscriptions', { name: 'x', url: 'http://127.0.0.1:18080/x' }],
      ['PATCH', '/api/brigade/subscriptions/bs_0000000000000000', { enabled: false }],
      ['POST', '/api/brigade/subscriptions/bs_0000000000000000/secret', {}],
      ['DELETE', '/api/brigade/subscriptions/bs_0000000000000000', undefined],
      ['POST', '/api/brigade/deliveries/1/retry', {}],
      ['POST', '/api/accounts', { username: 'intruder', displayName: 'x', role: 'admin', password: 'long enough password' }],
      ['PATCH', `/api/accounts/${ADMIN.username}`, { role: 'operator' }],
      ['POST', `/api/accounts/${ADMIN.username}/password`, { password: 'long enough password' }],
      ['POST', `/api/accounts/${ADMIN.username}/disable`, {}],
      ['POST', `/api/accounts/${ADMIN.username}/enable`, {}],
      ['DELETE', `/api/accounts/${ADMIN.username}/sessions`, undefined],
      ['DELETE', `/api/accounts/${ADMIN.username}`, undefined],
    ];
    const adminReads = [
      '/api/accounts',
      `/api/accounts/${ADMIN.username}/audit`,
      '/api/audit',
      '/api/brigade/subscriptions',
      '/api/brigade/deliveries',
      '/api/pairing/claim-codes/batches',
      '/api/pairing/claim-codes?batch=b1',
      '/api/pairing/claim-codes/export.csv?batch=b1',
      '/api/pairing/claim-codes/sheet.html?batch=b1',
    ];
    // Operators read the registers, devices and teams by design (the wall calls a stolen bike's owner back); installers follow pairing…
    const operatorReads = ['/api/registers/room-cards', '/api/registers/blacklist', '/api/registers/stolen-tags', '/api/registers/audit', '/api/registers/room-cards/export.csv', '/api/devices', '/api/teams'];
    for (const person of [OPERATOR, INSTALLER, BRIGADE]) {
      const cookie = `vsg_session=${await sessionOf(h, person.username, person.password)}`;
      const page = await fetch(`${base}/admin`, { headers: { cookie }, redirect: 'manual' });
      t.equal(page.status, 403, `${person.role}: /admin is refused`);
      t.equal(((await page.json()) as { code: string }).code, 'GW_FORBIDDEN');
      const call = async (method: string, path: string, body?: unknown) =>
        (await fetch(base + path, { method, headers: { cookie, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) }, ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }) })).status;
      const refused: string[] = [];
      for (const [method, path, body] of writes) if ((await call(method, path, body)) !== 403) refused.push(`${method} ${path}`);
      for (const path of adminReads) if ((await call('GET', path)) !== 403) refused.push(`GET ${path}`);
      // …and the brigade the teams (its console shows who is coming).
      for (const path of operatorReads) {
        if (person.role === 'operator' || (person.role === 'brigade' && path === '/api/teams')) continue;
        if ((await call('GET', path)) !== 403) refused.push(`GET ${path}`);
      }
      if (person.role !== 'installer') if ((await call('GET', '/api/pairing/devices')) !== 403) refused.push('GET /api/pairing/devices');
      t.same(refused, [], `${person.role}: every change the page makes, and the admin-only reads, are 403`);
    }
    t.equal((await h.http('GET', `/api/accounts/${ADMIN.username}`)).json.role, 'admin', 'nothing changed');
    t.equal((await h.http('GET', '/api/devices/cam-gate-1')).json.disabled, false);
  });

  await t.test('GET /admin: the gateway CSP, no inline script, no words or outside URLs in the markup or its code', async (t) => {
    const cookie = `vsg_session=${await sessionOf(h, ADMIN.username, ADMIN.password)}`;
    const response = await fetch(`${base}/admin`, { headers: { cookie } });
    t.equal(response.status, 200);
    t.match(response.headers.get('content-security-policy'), /default-src 'self'/);
    t.match(response.headers.get('cache-control'), /private/);
    const html = await response.text();
    t.notMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script');
    t.notMatch(html, /https?:\/\//, 'no outside URL (no CDN, no fonts)');
    t.equal(html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim(), '', 'no words in the markup: every string comes from a catalogue');
    const assets = ['admin.js', 'admin.css', ...['api', 'ui', 'list', 'registers', 'audit', 'changes', 'devices', 'teams', 'codes', 'accounts', 'brigade'].map((m) => `lib/admin-${m}.js`)];
    for (const asset of assets) {
      const served = await fetch(`${base}/web/${asset}`);
      t.equal(served.status, 200, asset);
      t.notMatch(await served.text(), /https?:\/\/|@import|url\(/, `${asset}: nothing fetched from elsewhere`);
    }
    t.equal((await fetch(`${base}/web/admin.html`)).status, 404, 'the page only through its route and role check');
  });

  const chromium = await launchChromium({ width: 1440, height: 900 });
  t.teardown(() => chromium.close());
  await chromium.context.addCookies([{ name: 'vsg_session', value: await sessionOf(h, ADMIN.username, ADMIN.password), url: base, httpOnly: true, sameSite: 'Strict' }]);
  const page = await chromium.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') pageErrors.push(message.text());
  });
  mkdirSync('test-output', { recursive: true });
  const text = (selector: string) => page.locator(selector).first().innerText();
  const tab = async (name: string) => {
    await page.click(`nav.tabs [data-tab="${name}"]`);
    await page.waitForSelector(`#tab-${name}:not([hidden])`);
    await page.waitForFunction((id) => !(globalThis as unknown as PageGlobal).document.querySelector(`#tab-${id}[data-loading]`), name);
  };
  const rowText = (panel: string, key: string) => page.locator(`#tab-${panel} tr[data-key="${key}"]`).innerText();
  const clearNumbersAbsent = async (where: string) => {
    const html = await page.content();
    const values = await page.evaluate(() => [...(globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ value: string }> } }).document.querySelectorAll('input')].map((i) => i.value).join('\n'));
    for (const clear of [ID_NUMBER, CSV_ID_NUMBER, UID, UID.toLowerCase(), '19900101']) {
      assert.ok(!html.includes(clear) && !values.includes(clear), `${where}: ${clear} is nowhere in the page (HTML or input values)`);
    }
  };

  await page.goto(`${base}/admin`);
  await page.waitForSelector('body[data-ready="true"]');

  await t.test('Simplified Chinese by default; the site time zone; the rooms tab first', async (t) => {
    t.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    t.equal(await page.title(), zh['admin.title']);
    t.equal(await text('h1'), zh['admin.heading']);
    t.equal(await text('#zone'), say(zh['admin.zone'], { zone: 'Asia/Shanghai' }), 'times are the site’s, whatever the PC’s zone');
    t.equal(await text('#who'), say(zh['admin.who'], { name: ADMIN.displayName, username: ADMIN.username }));
    t.equal(await page.getAttribute('nav.tabs [data-tab="rooms"]', 'aria-selected'), 'true');
    t.equal(await text('nav.tabs [data-tab="stolen"]'), zh['admin.tab.stolen']);
    t.equal(await page.inputValue('#tab-rooms form.add input[name="site"]'), SITE, 'the site is offered from the registry');
  });

  let cardHash = '';
  await t.test('rooms: a tenant card typed once, shown only masked, the clear number nowhere in the page', async (t) => {
    const form = '#tab-rooms form.add';
    await page.fill(`${form} input[name="room"]`, '3-201');
    await page.fill(`${form} input[name="tenantName"]`, '王芳');
    await page.fill(`${form} input[name="validUntil"]`, '2030-06-30');
    await page.fill(`${form} input[name="card"]`, ID_NUMBER);
    await page.press(`${form} input[name="card"]`, 'Enter'); // as a card reader ends its number
    await page.waitForSelector(`#tab-rooms tr[data-key^="${SITE}/3-201/"]`);
    const key = await page.getAttribute(`#tab-rooms tr[data-key^="${SITE}/3-201/"]`, 'data-key');
    cardHash = key!.split('/')[2]!;
    const row = await rowText('rooms', key!);
    t.match(row, ID_MASKED, 'the masked card');
    t.match(row, '王芳');
    t.match(row, '2030/06/30', 'valid until, a date at the site');
    t.match(row, ADMIN.username, 'who added it');
    t.equal(await page.inputValue(`${form} input[name="card"]`), '', 'the card input is emptied once sent');
    await clearNumbersAbsent('after adding the card');
    const [stored] = (await h.http('GET', `/api/registers/room-cards/${SITE}/3-201`)).json.cards;
    t.equal(stored.validUntil, Date.UTC(2030, 5, 30, 15, 59, 59, 999), 'valid to the end of 30 June in Shanghai (UTC+8), not in the PC’s zone');
    t.equal(stored.tenantName, '王芳');

    await page.fill('#tab-rooms [data-part="search"] input[name="search"]', '1234');
    await page.press('#tab-rooms [data-part="search"] input[name="search"]', 'Enter');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.querySelector('#tab-rooms [data-part="empty"]')?.textContent !== null);
    t.equal(await page.locator('#tab-rooms tbody tr').count(), 1, 'search by the last digits of the card');
    await page.fill('#tab-rooms [data-part="search"] input[name="search"]', 'nobody-here');
    await page.press('#tab-rooms [data-part="search"] input[name="search"]', 'Enter');
    await page.waitForSelector('#tab-rooms [data-part="empty"]:not([hidden])');
    t.equal(await text('#tab-rooms [data-part="empty"]'), zh['admin.empty']);
    await page.fill('#tab-rooms [data-part="search"] input[name="search"]', '');
    await page.press('#tab-rooms [data-part="search"] input[name="search"]', 'Enter');
    await page.waitForSelector(`#tab-rooms tr[data-key="${key}"]`);

    // Edit without the card: tenant and validity by hash.
    await page.click(`#tab-rooms tr[data-key="${key}"] [data-action="edit"]`);
    await page.waitForSelector('#edit-dialog[open]');
    t.equal(await text('#edit-dialog [data-part="heading"]'), say(zh['admin.rooms.editHeading'], { card: ID_MASKED, room: '3-201' }));
    await page.fill('#edit-dialog input[name="tenantName"]', '王芳（续租）');
    await page.click('#edit-dialog [data-part="ok"]');
    await page.waitForSelector('#edit-dialog[open]', { state: 'detached' });
    await page.waitForFunction((k) => (globalThis as unknown as PageGlobal).document.querySelector(`#tab-rooms tr[data-key="${k}"]`)?.textContent?.includes('续租'), key);
    t.pass('the tenant changed without scanning the card again');
  });

  await t.test('rooms: CSV import with a bad row shows the row error; the others are imported', async (t) => {
    const csv = `site,room,card,tenant_name\r\n${SITE},1-101,04A1B2C3,Li Wei\r\n${SITE},1-102,12345,Bad Row\r\n${SITE},1-103,${CSV_ID_NUMBER},Zhao Min\r\n`;
    await page.setInputFiles('#tab-rooms [data-part="import"]', { name: 'tenants.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.waitForSelector('#tab-rooms [data-part="import-report"]:not([hidden]) li[data-line="3"]');
    t.equal(await text('#tab-rooms [data-part="import-report"] p'), say(zh['admin.import.result'], { name: 'tenants.csv', imported: 2, refused: 1 }));
    t.equal(await text('#tab-rooms li[data-line="3"]'), say(zh['admin.import.rowError'], { line: 3, message: 'card: expected 18-character ID number or 8–20 hex UID' }), 'the line and the gateway’s reason');
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#tab-rooms tbody tr').length === 3);
    t.match(await text('#tab-rooms tbody'), '110***********0019', 'imported rows are listed masked');
    await clearNumbersAbsent('after the import');
    await page.screenshot({ path: 'test-output/admin-rooms.png', fullPage: true });
  });

  await t.test('rooms: CSV export downloads the register, cards masked and hashed', async (t) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#tab-rooms [data-part="export"]')]);
    t.equal(download.suggestedFilename(), 'room-cards.csv');
    const body = readFileSync((await download.path())!, 'utf8');
    const lines = body.trim().split('\r\n');
    t.equal(lines[0], 'site,room,card_masked,card_hash,tenant_name,valid_until,added_at,added_by');
    t.equal(lines.length, 4, 'three cards');
    t.ok(lines.some((line) => line.startsWith(`${SITE},3-201,${ID_MASKED},${cardHash},`)));
    for (const clear of [ID_NUMBER, CSV_ID_NUMBER]) t.notOk(body.includes(clear), `${clear} not in the export`);
  });

  await t.test('blacklist: a card blacklisted (typed once), its reason changed by hash', async (t) => {
    await tab('blacklist');
    const form = '#tab-blacklist form.add';
    t.equal(await page.inputValue(`${form} input[name="site"]`), SITE);
    await page.fill(`${form} input[name="reason"]`, '租户报失');
    await page.fill(`${form} input[name="card"]`, UID.toLowerCase());
    await page.click(`${form} button[type="submit"]`);
    await page.waitForSelector('#tab-blacklist tbody tr');
    t.match(await text('#tab-blacklist tbody tr'), UID_MASKED);
    t.equal(await page.inputValue(`${form} input[name="card"]`), '');
    await page.click('#tab-blacklist tbody tr [data-action="edit"]');
    await page.waitForSelector('#edit-dialog[open]');
    await page.fill('#edit-dialog input[name="reason"]', '租户报失，已补办新卡');
    await page.click('#edit-dialog [data-part="ok"]');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.querySelector('#tab-blacklist tbody tr')?.textContent?.includes('已补办新卡'));
    const { entries } = (await h.http('GET', `/api/registers/blacklist?site=${SITE}`)).json;
    t.match(entries, [{ cardMasked: UID_MASKED, reason: '租户报失，已补办新卡', addedBy: ADMIN.username }]);
    await clearNumbersAbsent('after blacklisting');
  });

  await t.test('stolen tags: reported with owner contact and report time, then recovered', async (t) => {
    await tab('stolen');
    const form = '#tab-stolen form.add';
    t.match(await page.inputValue(`${form} input[name="reportedAt"]`), /^\d{4}-\d\d-\d\dT\d\d:\d\d$/, 'the report time defaults to now');
    await page.fill(`${form} input[name="tag"]`, 't0001e240');
    await page.fill(`${form} input[name="ownerName"]`, '张三');
    await page.fill(`${form} input[name="ownerContact"]`, '138 0013 8000');
    await page.fill(`${form} input[name="reportedAt"]`, '2025-03-01T08:30');
    await page.fill(`${form} input[name="note"]`, '红色电动车，菜场门口被盗');
    await page.click(`${form} button[type="submit"]`);
    await page.waitForSelector('#tab-stolen tr[data-key="T0001E240"]');
    const row = await rowText('stolen', 'T0001E240');
    t.match(row, '张三');
    t.match(row, '138 0013 8000', 'the owner’s contact, for the operators to call');
    t.match(row, '2025/03/01 08:30:00', 'the report time at the site (the PC is in New York)');
    const stored = (await h.http('GET', '/api/registers/stolen-tags')).json.tags[0];
    t.equal(stored.reportedAt, REPORTED_AT, '08:30 in Shanghai');

    await page.click('#tab-stolen tr[data-key="T0001E240"] [data-action="recover"]');
    await page.waitForSelector('#confirm-dialog[open]');
    t.equal(await text('#confirm-dialog [data-part="text"]'), say(zh['admin.stolen.recoverConfirm'], { tag: 'T0001E240', owner: '张三' }));
    await page.click('#confirm-dialog [data-part="ok"]');
    await page.waitForSelector('#tab-stolen tr[data-key="T0001E240"]', { state: 'detached' });
    t.equal((await h.http('GET', '/api/registers/stolen-tags')).json.total, 0, 'the report (and the contact) is gone');
  });

  await t.test('audit: every change, who and how; one card’s history from its row', async (t) => {
    await tab('audit');
    const rows = await page.locator('#tab-audit tbody tr').allInnerTexts();
    t.equal(rows.length, 8, 'room cards: add, update, 2 imported; blacklist: add, update; stolen tag: add, remove');
    t.match(rows[0], zh['admin.register.stolenTags']!);
    t.match(rows[0], zh['admin.audit.remove']!);
    t.ok(rows.every((r) => r.includes(ADMIN.username)), 'each with who');
    t.equal(rows.filter((r) => r.includes(zh['admin.audit.viaCsv']!)).length, 2, 'the imported rows say so');
    t.ok(rows.some((r) => r.includes(say(zh['admin.audit.card'], { card: ID_MASKED }))), 'cards appear masked');
    await page.screenshot({ path: 'test-output/admin-audit.png', fullPage: true });
    await clearNumbersAbsent('in the audit');

    await tab('rooms');
    await page.click(`#tab-rooms tr[data-key="${SITE}/3-201/${cardHash}"] [data-action="audit"]`);
    await page.waitForSelector('#tab-audit:not([hidden])');
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#tab-audit tbody tr').length === 2);
    t.equal(await page.inputValue('#tab-audit [data-part="search"] input[name="key"]'), cardHash, 'filtered by the card’s hash');
    t.same(
      (await page.locator('#tab-audit tbody tr td:nth-child(4)').allInnerTexts()).map((s) => s.trim()),
      [zh['admin.audit.update'], zh['admin.audit.add']],
      'its update, then its addition',
    );
  });

  let batchId = '';
  await t.test('claim codes: a batch for a site and kind, its printable sheet and its CSV', async (t) => {
    await tab('codes');
    const form = '#tab-codes form.add';
    await page.selectOption(`${form} select[name="kind"]`, 'fire');
    await page.fill(`${form} input[name="count"]`, '3');
    await page.fill(`${form} input[name="label"]`, '小学 2025 批');
    await page.click(`${form} button[type="submit"]`);
    await page.waitForSelector('#tab-codes [data-part="created"]:not([hidden])');
    await page.waitForSelector('#tab-codes tbody tr');
    batchId = (await page.getAttribute('#tab-codes tbody tr', 'data-key'))!;
    t.match(await text('#tab-codes [data-part="created"] p'), say(zh['admin.codes.created'], { count: 3, batch: batchId, site: SITE, kind: zh['kind.fire']! }));
    t.match(await text('#tab-codes tbody tr'), '0 / 3');

    const [sheet] = await Promise.all([chromium.context.waitForEvent('page'), page.click('#tab-codes tbody tr [data-action="sheet"]')]);
    await sheet.waitForLoadState();
    t.match(new URL(sheet.url()).pathname, '/api/pairing/claim-codes/sheet.html');
    t.equal(await sheet.locator('svg').count(), 3, 'one QR per code');
    const codes = (await h.http('GET', `/api/pairing/claim-codes?batch=${batchId}`)).json.codes as { code: string }[];
    const sheetText = await sheet.locator('body').innerText();
    t.ok(codes.every((c) => sheetText.includes(c.code)), 'every code printed');
    await sheet.screenshot({ path: 'test-output/admin-sheet.png' });
    await sheet.close();

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#tab-codes tbody tr [data-action="csv"]')]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
    t.equal(csv[0], 'code,site,kind,batch,created_at,used_at,used_by,device_id');
    t.equal(csv.length, 4, 'three codes');

    // An installer claims one: the devices tab shows its pairing state.
    const claimed = await h.http('POST', '/api/pairing/claim', { code: codes[0]!.code, model: modelId('fire'), lon: 120.21, lat: 30.2, deviceId: 'fd-school-2' });
    t.equal(claimed.status, 201, `claimed: ${claimed.json?.message ?? ''}`);
    await tab('codes');
    t.match(await text('#tab-codes tbody tr'), '1 / 3');
    await page.click('#tab-codes tbody tr [data-action="codes"]');
    await page.waitForSelector('#detail-dialog[open]');
    t.match(await text('#detail-dialog [data-part="body"]'), 'fd-school-2', 'which device used which code');
    await page.click('#detail-dialog [data-part="close"]');
    await page.screenshot({ path: 'test-output/admin-codes.png', fullPage: true });
  });

  await t.test('devices: health and pairing state; a tracker registered by hand shows its secret once', async (t) => {
    await tab('devices');
    t.equal(await page.getAttribute('#tab-devices tr[data-key="cam-gate-1"] [data-health]', 'data-health'), 'online');
    t.equal(await page.getAttribute('#tab-devices tr[data-key="fd-school-1"] [data-health]', 'data-health'), 'never');
    t.match(await rowText('devices', 'cam-gate-1'), zh['admin.devices.online']!);
    t.equal(await page.getAttribute('#tab-devices tr[data-key="fd-school-2"] [data-pairing]', 'data-pairing'), 'registered');
    t.match(await rowText('devices', 'fd-school-2'), zh['admin.pairing.registered']!, 'claimed with a code, not yet seen');
    t.match(await rowText('devices', 'fd-school-1'), '—', 'registered directly: no pairing state');

    await page.click('#tab-devices details.add-details summary');
    const form = '#tab-devices form.add';
    await page.fill(`${form} input[name="id"]`, 'trk-east');
    await page.selectOption(`${form} select[name="kind"]`, 'team');
    await page.fill(`${form} input[name="name"]`, '东片巡逻终端');
    await page.click(`${form} button[type="submit"]`);
    await page.waitForSelector('#secret-dialog[open]');
    t.equal(await text('#secret-dialog [data-part="heading"]'), say(zh['admin.devices.registeredHeading'], { id: 'trk-east' }));
    const secret = await text('#secret-dialog [data-part="secret"]');
    t.ok(secret.length >= 20, 'the secret, once');
    await page.click('#secret-dialog [data-part="close"]');
    await page.waitForSelector('#tab-devices tr[data-key="trk-east"]');
    t.notOk((await page.content()).includes(secret), 'and gone from the page once closed');

    await page.fill('#tab-devices [data-part="search"] input[name="search"]', 'school');
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#tab-devices tbody tr').length === 2);
    t.same(await page.locator('#tab-devices tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key'))), ['fd-school-1', 'fd-school-2'], 'search by id');
    t.same((await h.http('GET', '/api/devices?search=SCHOOL&kind=fire')).json.devices.map((d: { id: string }) => d.id), ['fd-school-1', 'fd-school-2'], 'GET /api/devices?search: id, any case');
    t.same((await h.http('GET', `/api/devices?search=${encodeURIComponent('巡逻')}`)).json.devices.map((d: { id: string }) => d.id), ['trk-east'], 'and name');
    await page.fill('#tab-devices [data-part="search"] input[name="search"]', '');
    await page.selectOption('#tab-devices [data-part="search"] select[name="online"]', 'online');
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#tab-devices tbody tr').length === 1);
    t.pass('filter: online only');
    await page.selectOption('#tab-devices [data-part="search"] select[name="online"]', '');
    await page.waitForSelector('#tab-devices tr[data-key="trk-east"]');
    await page.screenshot({ path: 'test-output/admin-devices.png', fullPage: true });
  });

  await t.test('teams: a team registered with its tracker', async (t) => {
    await tab('teams');
    const form = '#tab-teams form.add';
    t.same(await page.locator(`${form} select[name="trackerDeviceId"] option`).evaluateAll((o) => o.map((x) => x.getAttribute('value'))), ['', 'trk-east'], 'free trackers only');
    await page.fill(`${form} input[name="id"]`, 'team-east');
    await page.fill(`${form} input[name="name"]`, '东片联防队');
    await page.selectOption(`${form} select[name="trackerDeviceId"]`, 'trk-east');
    await page.click(`${form} button[type="submit"]`);
    await page.waitForSelector('#tab-teams tr[data-key="team-east"]');
    const row = await rowText('teams', 'team-east');
    t.match(row, '东片联防队');
    t.match(row, 'trk-east');
    t.match(row, zh['admin.teams.noFix']!);
    t.match((await h.http('GET', '/api/teams')).json.teams, [{ id: 'team-east', trackerDeviceId: 'trk-east' }]);
  });

  await t.test('accounts: an operator account created; its history', async (t) => {
    await tab('accounts');
    const form = '#tab-accounts form.add';
    await page.fill(`${form} input[name="username"]`, 'Night-Op');
    await page.fill(`${form} input[name="displayName"]`, '夜班值班员');
    await page.selectOption(`${form} select[name="role"]`, 'operator');
    t.ok(await page.locator(`${form} select[name="teamId"]`).isHidden(), 'no team for an operator');
    await page.fill(`${form} input[name="password"]`, 'night shift password');
    await page.click(`${form} button[type="submit"]`);
    await page.waitForSelector('#tab-accounts tr[data-key="night-op"]');
    t.match(await rowText('accounts', 'night-op'), zh['admin.role.operator']!);
    t.match((await h.http('GET', '/api/accounts/night-op')).json, { username: 'night-op', role: 'operator', displayName: '夜班值班员', disabled: false });
    t.equal((await sessionOf(h, 'night-op', 'night shift password')).length > 20, true, 'the new operator can log in');
    await page.click('#tab-accounts tr[data-key="night-op"] [data-action="audit"]');
    await page.waitForSelector('#detail-dialog[open]');
    const history = await text('#detail-dialog [data-part="body"]');
    t.match(history, zh['admin.accountAudit.create']!);
    t.match(history, zh['admin.accountAudit.login']!);
    await page.click('#detail-dialog [data-part="close"]');

    await page.selectOption(`${form} select[name="role"]`, 'team');
    t.ok(await page.locator(`${form} select[name="teamId"]`).isVisible(), 'a team account chooses its team');
    t.same(await page.locator(`${form} select[name="teamId"] option`).evaluateAll((o) => o.map((x) => x.getAttribute('value'))), ['', 'team-east']);
    await page.selectOption(`${form} select[name="role"]`, 'operator');
  });

  await t.test('brigade: a webhook receiver added, its secret shown once', async (t) => {
    await tab('brigade');
    const form = '#tab-brigade form.add';
    t.same(await page.locator(`${form} input[name="severities"]:checked`).evaluateAll((b) => b.map((x) => x.getAttribute('value'))), ['red', 'orange'], 'default: red and orange fires');
    await page.fill(`${form} input[name="name"]`, '区消防大队');
    await page.fill(`${form} input[name="url"]`, 'http://127.0.0.1:18080/village-hook');
    await page.click(`${form} button[type="submit"]`);
    await page.waitForSelector('#secret-dialog[open]');
    t.match(await text('#secret-dialog [data-part="secret"]'), /^whsec_/);
    await page.click('#secret-dialog [data-part="close"]');
    await page.waitForSelector('#tab-brigade [data-part="subscriptions"] tbody tr');
    const row = await text('#tab-brigade [data-part="subscriptions"] tbody tr');
    t.match(row, '区消防大队');
    t.match(row, `${zh['severity.red']}${zh['admin.listSeparator']}${zh['severity.orange']}`);
    t.match((await h.http('GET', '/api/brigade/subscriptions')).json.subscriptions, [{ name: '区消防大队', kinds: ['fire'], severities: ['red', 'orange'], enabled: true }]);
    t.equal(await text('#tab-brigade [data-part="deliveries"] [data-part="empty"]'), zh['admin.brigade.noDeliveries']);
  });

  await t.test('audit of changes: the webhook just added and the team registered, with who did it', async (t) => {
    await tab('changes');
    const first = await page.locator('#tab-changes tbody tr').first().innerText();
    t.match(first, zh['admin.changes.subject.brigade']!);
    t.match(first, zh['admin.changes.create']!);
    t.match(first, ADMIN.username, 'the account that made the change');
    t.match(first, 'http://127.0.0.1:18080/village-hook');
    t.notMatch(await page.content(), /whsec_/, 'never a secret');
    await page.selectOption('#tab-changes [data-part="search"] select[name="subject"]', 'team');
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#tab-changes tbody tr').length === 1);
    const team = await page.locator('#tab-changes tbody tr').first().innerText();
    t.match(team, 'team-east');
    t.match(team, zh['admin.changes.register']!);
    t.match(team, '东片联防队');
    await page.screenshot({ path: 'test-output/admin-changes.png', fullPage: true });
    await page.selectOption('#tab-changes [data-part="search"] select[name="subject"]', '');
  });

  await t.test('English on switch: every word, the rows too; times stay the site’s', async (t) => {
    await tab('accounts');
    await page.click('#lang');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.documentElement.lang === 'en');
    t.equal(await page.title(), en['admin.title']);
    t.equal(await text('h1'), en['admin.heading']);
    t.equal(await text('nav.tabs [data-tab="rooms"]'), en['admin.tab.rooms']);
    t.equal(await text('#tab-accounts thead th'), en['admin.field.username']);
    t.match(await rowText('accounts', 'night-op'), en['admin.role.operator']!, 'rows worded again');
    t.equal(await text('#lang'), en['lang.switch']);
    t.equal(await page.getAttribute('#tab-accounts [data-part="search"] input[name="search"]', 'placeholder'), en['admin.accounts.searchPlaceholder']);
    await page.screenshot({ path: 'test-output/admin-en.png', fullPage: true });
    await tab('rooms');
    t.match(await text('#tab-rooms thead'), en['admin.col.cardMasked']!);
    t.match(await rowText('rooms', `${SITE}/3-201/${cardHash}`), /06\/30\/2030/, 'the date in English, still the site’s day');
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    t.equal(await page.getAttribute('html', 'lang'), 'en', 'remembered after a reload');
    await page.click('#lang');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.documentElement.lang === 'zh-CN');
    t.equal(await text('h1'), zh['admin.heading'], 'and back to Chinese');
    await page.screenshot({ path: 'test-output/admin.png', fullPage: true });
  });

  t.same(pageErrors, [], 'no errors or warnings in the page console');
});

/** A model id (`vendor/model`) of a kind, as the claim takes it. */
function modelId(kind: 'fire'): string {
  const model = modelsForKind(kind)[0]!;
  return `${model.vendor}/${model.model}`;
}
