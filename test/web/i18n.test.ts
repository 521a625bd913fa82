import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { DEVICE_KINDS } from '../../devices/model.js';
import { ORDER_STATUSES } from '../../src/dispatch/dispatch-orders.js';
import { INCIDENT_STATUSES } from '../../src/incidents/incident-store.js';
import { TICKER_TYPES } from '../../src/live/wire.js';
import { SEVERITIES } from '../../src/rules/types.js';
import type { TeamStatus } from '../../src/dispatch/team-eligibility.js';

const PUBLIC = fileURLToPath(new URL('../../src/web/public/', import.meta.url));
const load = (name: string) => JSON.parse(readFileSync(join(PUBLIC, 'i18n', `${name}.json`), 'utf8')) as Record<string, string>;
/** Pages with their own catalogue (`i18n/<page>.<locale>.json`), besides the common one. */
const PAGE_CATALOGUES = readdirSync(join(PUBLIC, 'i18n'))
  .map((file) => /^([a-z-]+)\.zh-CN\.json$/.exec(file)?.[1])
  .filter((page): page is string => page !== undefined);
/** What a page can see: the common catalogue and every page's, merged (each test below holds for the union and for each part). */
const merged = (locale: string) => Object.assign({}, load(locale), ...PAGE_CATALOGUES.map((page) => load(`${page}.${locale}`))) as Record<string, string>;
const catalogues = { 'zh-CN': merged('zh-CN'), en: merged('en') };
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name), ext) : entry.name.endsWith(ext) ? [join(dir, entry.name)] : [],
  );
}

t.test('the two catalogues have the same keys and the same placeholders', async (t) => {
  const zh = catalogues['zh-CN'];
  const en = catalogues.en;
  t.same(Object.keys(zh).filter((k) => !(k in en)), [], 'no key of zh-CN is missing in en');
  t.same(Object.keys(en).filter((k) => !(k in zh)), [], 'no key of en is missing in zh-CN');
  for (const key of Object.keys(zh)) {
    if (!(key in en)) continue;
    t.same(placeholders(en[key]!), placeholders(zh[key]!), `${key}: same placeholders`, { diagnostic: false });
  }
  for (const [locale, catalogue] of Object.entries(catalogues)) {
    t.same(Object.entries(catalogue).filter(([, text]) => typeof text !== 'string' || text.trim() === '').map(([k]) => k), [], `${locale}: no empty text`);
  }
  const untranslated = Object.entries(en).filter(([key, text]) => key !== 'lang.switch' && /[\u4e00-\u9fff]/.test(text)).map(([k]) => k);
  t.same(untranslated, [], 'no Chinese left in the English catalogue (but the switch back to 中文)');
});

t.test('each page catalogue has both locales and words only its own keys', async (t) => {
  const common = new Set(Object.keys(load('zh-CN')));
  const seen = new Map<string, string>();
  for (const page of PAGE_CATALOGUES) {
    const zh = load(`${page}.zh-CN`);
    const en = load(`${page}.en`);
    t.same(Object.keys(zh).sort(), Object.keys(en).sort(), `${page}: the same keys in zh-CN and en`);
    for (const key of Object.keys(zh)) {
      t.notOk(common.has(key), `${page}: ${key} does not override the common catalogue`, { diagnostic: false });
      t.notOk(seen.has(key), `${page}: ${key} is not also in ${seen.get(key)}`, { diagnostic: false });
      seen.set(key, page);
    }
  }
});

t.test('every key the wall uses is in the catalogues', async (t) => {
  const used = new Set<string>();
  for (const file of filesUnder(PUBLIC, '.html')) {
    for (const m of readFileSync(file, 'utf8').matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) used.add(m[1]!);
  }
  for (const file of filesUnder(PUBLIC, '.js')) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([^']+)'/g)) used.add(m[1]!);
  }
  // Keys built from a value: every value the gateway can send.
  const rules = (parse(readFileSync(new URL('../../rules/default-rules.yaml', import.meta.url), 'utf8')) as { rules: { id: string }[] }).rules.map((r) => r.id);
  const teamStatuses: TeamStatus[] = ['available', 'dispatched', 'busy', 'off_duty'];
  const families: [string, readonly string[]][] = [
    ['severity', SEVERITIES],
    ['status', INCIDENT_STATUSES],
    ['order', ORDER_STATUSES],
    ['teamStatus', teamStatuses],
    ['kind', DEVICE_KINDS],
    ['ticker', TICKER_TYPES],
    ['conn', ['connecting', 'live', 'lost']],
    ['action', ['ack', 'dispatch', 'resolve', 'cancel']],
    ['action.done', ['ack', 'dispatch', 'resolve', 'cancel']],
    ['rule', rules],
  ];
  for (const [prefix, values] of families) for (const value of values) used.add(`${prefix}.${value}`);
  for (const action of ['dispatch', 'resolve', 'cancel']) for (const part of ['heading', 'confirm']) used.add(`dialog.${action}.${part}`);
  for (const action of ['resolve', 'cancel']) used.add(`dialog.${action}.label`);
  t.ok(used.size > 100, `${used.size} keys in use`);
  for (const [locale, catalogue] of Object.entries(catalogues)) {
    t.same([...used].filter((key) => !(key in catalogue)).sort(), [], `${locale} has every key in use`);
  }
  const unused = Object.keys(catalogues.en).filter((key) => !used.has(key));
  t.same(unused, [], 'and no key nobody uses');
});
