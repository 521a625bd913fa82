import t from 'tap';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startGateway } from '../support/gateway-harness.js';
import { launchChromium } from './chromium.js';

const catalogue = (locale: string) => JSON.parse(readFileSync(new URL(`../../src/web/public/i18n/${locale}.json`, import.meta.url), 'utf8')) as Record<string, string>;
const zh = catalogue('zh-CN');
const en = catalogue('en');

const OPERATOR = { username: 'login-op', displayName: 'Login operator', role: 'operator', password: 'correct horse battery' };
const LIMITED = { username: 'login-limited', displayName: 'Limited operator', role: 'operator', password: 'another long password' };

/** Browser globals for page.evaluate callbacks (the test compiles without the DOM library). */
interface PageGlobal {
  localStorage: { clear(): void };
}

t.test('the log-in page in a real Chromium', async (t) => {
  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9' });
  t.teardown(() => h.stop());
  const base = `http://127.0.0.1:${h.addresses.httpPort}`;
  for (const account of [OPERATOR, LIMITED]) assert.equal((await h.http('POST', '/api/accounts', account)).status, 201, `account ${account.username}`);

  const chromium = await launchChromium({ width: 1280, height: 800 });
  t.teardown(() => chromium.close());
  const pageErrors: string[] = [];
  const newPage = async (): Promise<Page> => {
    const page = await chromium.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (message) => {
      // Expected: the wall reached after log-in has no /ws on this server; a refused log-in and the cut network are failed requests.
      if (message.type() !== 'error' && message.type() !== 'warning') return;
      if (/WebSocket connection to .* failed|status of (401|429)|net::ERR_FAILED|net::ERR_CONNECTION_REFUSED/.test(message.text())) return;
      pageErrors.push(message.text());
    });
    return page;
  };
  /** A visitor without a session or a remembered language. */
  const fresh = async (page: Page) => {
    await chromium.context.clearCookies();
    await page.goto(`${base}/login`);
    await page.evaluate(() => (globalThis as unknown as PageGlobal).localStorage.clear());
  };
  const open = async (page: Page, query = '') => {
    await page.goto(`${base}/login${query}`);
    await page.waitForSelector('body[data-ready="true"]');
  };
  const logIn = async (page: Page, username: string, password: string) => {
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('#submit');
  };
  const errorText = async (page: Page) => {
    await page.waitForSelector('#error:not([hidden])');
    return page.locator('#error').innerText();
  };

  await t.test('GET /login: public, the gateway headers, no inline script, no words in the markup', async (t) => {
    const response = await fetch(`${base}/login?next=%2Fwall`);
    t.equal(response.status, 200, 'no session needed');
    t.match(response.headers.get('content-type'), /^text\/html/);
    t.match(response.headers.get('content-security-policy'), /default-src 'self'/);
    const html = await response.text();
    t.notMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script');
    t.notMatch(html, /https?:\/\//, 'no external URL');
    t.equal(html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim(), '', 'every string comes from a catalogue');
    for (const asset of ['/web/login.js', '/web/login.css']) t.equal((await fetch(base + asset)).status, 200, asset);
    t.equal((await fetch(`${base}/web/login.html`)).status, 404, 'the page only through its route');
  });

  const page = await newPage();
  await fresh(page);

  await t.test('the wall without a session → /login?next=/wall; a wrong password is refused in Chinese', async (t) => {
    await page.goto(`${base}/wall`);
    await page.waitForSelector('body[data-ready="true"]');
    const url = new URL(page.url());
    t.equal(url.pathname, '/login');
    t.equal(url.searchParams.get('next'), '/wall');
    t.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'Simplified Chinese by default');
    t.equal(await page.title(), zh['login.title']);
    t.equal(await page.locator('h1').innerText(), zh['login.heading']);
    t.equal(await page.locator('#submit').innerText(), zh['login.submit']);
    t.equal(await page.locator('#lang').innerText(), zh['lang.switch']);

    await page.click('#submit');
    t.equal(await errorText(page), zh['login.error.missing'], 'empty fields: asked to fill them in, nothing sent');

    await logIn(page, OPERATOR.username, 'not the password');
    await page.waitForSelector('body[data-state="error"]');
    t.equal(await errorText(page), zh['login.error.failed']);
    t.equal(new URL(page.url()).pathname, '/login', 'still on the log-in page');
    t.equal(await page.locator('#username').inputValue(), OPERATOR.username, 'the username stays typed');
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/login.png' });
  });

  await t.test('the English switch words everything, the error on show included, and is remembered', async (t) => {
    await page.click('#lang');
    await page.waitForFunction(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang === 'en');
    t.equal(await page.title(), en['login.title']);
    t.equal(await page.locator('h1').innerText(), en['login.heading']);
    t.equal(await page.locator('label >> nth=0').innerText(), en['login.username']);
    t.equal(await page.locator('#submit').innerText(), en['login.submit']);
    t.equal(await page.locator('#lang').innerText(), en['lang.switch'], 'the way back to Chinese');
    t.equal(await errorText(page), en['login.error.failed'], 'the error shown follows the language');
    await open(page, '?next=%2Fwall');
    t.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice is remembered on this screen');
    await page.click('#lang');
    await page.waitForFunction(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang === 'zh-CN');
    t.equal(await page.locator('#submit').innerText(), zh['login.submit'], 'and back to Chinese');
  });

  await t.test('too many attempts: wait N minutes, from Retry-After', async (t) => {
    for (let i = 0; i < 5; i++) {
      const refused = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: LIMITED.username, password: `guess ${i}` }) });
      assert.equal(refused.status, 401);
    }
    await open(page);
    await logIn(page, LIMITED.username, LIMITED.password);
    const shown = await errorText(page);
    const minutes = /(\d+)/.exec(shown)?.[1];
    t.ok(minutes && Number(minutes) >= 1 && Number(minutes) <= 15, `minutes from Retry-After: ${shown}`);
    t.equal(shown, zh['login.error.rateLimited']!.replace('{minutes}', String(minutes)));
  });

  await t.test('the gateway unreachable: a network error, not a hang', async (t) => {
    await open(page);
    await page.route('**/api/auth/login', (route) => route.abort('connectionrefused'));
    await logIn(page, OPERATOR.username, OPERATOR.password);
    t.equal(await errorText(page), zh['login.error.network']);
    t.equal(await page.locator('#submit').isDisabled(), false, 'the button is back for another try');
    await page.unroute('**/api/auth/login');
  });

  await t.test('next is honoured only as a path on this gateway', async (t) => {
    await open(page);
    const verdicts = await page.evaluate(async (cases) => {
      const path = '/web/login.js';
      const module = (await import(path)) as { safeNext(raw: string | null): string | undefined };
      return cases.map((raw) => module.safeNext(raw) ?? null);
    }, ['/wall', '/wall?lang=en#x', '//evil.example', '/\\evil.example', '/\t/evil.example', 'https://evil.example/', 'javascript:alert(1)', 'wall', '', '/login?next=/wall', '/%2F%2Fevil.example']);
    t.same(verdicts, ['/wall', '/wall?lang=en#x', null, null, null, null, null, null, null, null, '/%2F%2Fevil.example']);
  });

  await t.test('the right password lands on the wall; next=//evil.example is ignored', async (t) => {
    await chromium.context.clearCookies();
    await open(page, `?next=${encodeURIComponent('//evil.example/steal')}`);
    await logIn(page, OPERATOR.username, OPERATOR.password);
    await page.waitForURL((url) => url.pathname === '/wall');
    t.equal(new URL(page.url()).origin, base, 'stayed on the gateway');
    await page.waitForSelector('body[data-ready="true"]');
    t.equal(await page.locator('h1').innerText(), zh['wall.title'], 'the wall opened: the session cookie is set');
    const cookie = (await chromium.context.cookies(base)).find((c) => c.name === 'vsg_session');
    t.ok(cookie?.httpOnly, 'vsg_session, HttpOnly');
  });

  await t.test('from the wall redirect and back, keeping next with its query', async (t) => {
    await chromium.context.clearCookies();
    await page.goto(`${base}/wall`);
    await page.waitForSelector('#login-form');
    await page.waitForSelector('body[data-ready="true"]');
    await logIn(page, OPERATOR.username, OPERATOR.password);
    await page.waitForURL((url) => url.pathname === '/wall');
    t.pass('back on /wall');
    await chromium.context.clearCookies();
    await open(page, `?next=${encodeURIComponent('/wall?lang=en')}`);
    await logIn(page, OPERATOR.username, OPERATOR.password);
    await page.waitForURL((url) => url.pathname === '/wall' && url.search === '?lang=en');
    await page.waitForSelector('body[data-ready="true"]');
    t.equal(await page.locator('h1').innerText(), en['wall.title']);
  });

  await t.test('a phone-sized screen: the form fits', async (t) => {
    await chromium.context.clearCookies();
    await page.setViewportSize({ width: 375, height: 700 });
    await open(page);
    await page.evaluate(() => (globalThis as unknown as PageGlobal).localStorage.clear());
    await open(page);
    const box = await page.locator('#login-form').boundingBox();
    t.ok(box && box.x >= 0 && box.x + box.width <= 375, `form inside the screen: ${JSON.stringify(box)}`);
    const overflow = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return d.scrollWidth - d.clientWidth;
    });
    t.equal(overflow, 0, 'no sideways scrolling');
    await page.screenshot({ path: 'test-output/login-phone.png' });
  });

  t.same(pageErrors, [], 'no script errors on the pages');
});
