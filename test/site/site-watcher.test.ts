import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { describeSiteIssue, SiteError, SiteWatcher, type SiteChange, type SiteLog } from '../../src/site/site-files.js';

const roadsWith = (count: number, speedKmh: unknown = 30) =>
  JSON.stringify({
    type: 'FeatureCollection',
    features: Array.from({ length: count }, (_, i) => ({
      type: 'Feature',
      id: `r-${i}`,
      geometry: { type: 'LineString', coordinates: [[113.93 + i * 0.001, 22.54], [113.931 + i * 0.001, 22.54]] },
      properties: { speedKmh },
    })),
  });

interface LogLine {
  level: 'info' | 'warn' | 'error';
  fields: object;
  message: string;
}

function capture(): { log: SiteLog; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (fields: object, message: string) => lines.push({ level, fields, message });
  return { log: { info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

/** Resolves with the watcher's next change, or fails the test after a while. */
function nextChange(watcher: SiteWatcher, timeoutMs = 3000): Promise<SiteChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('no site change seen'));
    }, timeoutMs);
    const off = watcher.onChange((change) => {
      clearTimeout(timer);
      off();
      resolve(change);
    });
  });
}

function siteDir(t: Test, roads: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'site-watch-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'roads.geojson'), roads);
  return dir;
}

t.test('a good edit swaps the site; a bad edit keeps the previous one and says why', async (t) => {
  const dir = siteDir(t, roadsWith(1));
  const { log, lines } = capture();
  const watcher = new SiteWatcher(dir, { debounceMs: 30, log });
  t.teardown(() => watcher.stop());
  const first = await watcher.start();
  t.equal(first.roads.length, 1);

  let change = nextChange(watcher);
  writeFileSync(join(dir, 'roads.geojson'), roadsWith(2));
  const reloaded = await change;
  t.equal(reloaded.kind, 'reloaded');
  if (reloaded.kind === 'reloaded') {
    t.equal(reloaded.site.roads.length, 2);
    t.equal(reloaded.previous, first);
  }
  t.equal(watcher.site.roads.length, 2);

  change = nextChange(watcher);
  writeFileSync(join(dir, 'roads.geojson'), roadsWith(3, 'fast'));
  const rejected = await change;
  t.equal(rejected.kind, 'rejected');
  if (rejected.kind === 'rejected') {
    t.same(rejected.issues.map(describeSiteIssue).slice(0, 1), ['roads.geojson feature #0 (id "r-0"): property speedKmh: expected a positive number (km/h), got "fast"']);
    t.equal(rejected.issues.length, 3, 'every bad feature is reported');
    t.equal(rejected.kept.roads.length, 2);
  }
  t.equal(watcher.site.roads.length, 2, 'dispatch keeps the last good site');
  t.ok(lines.some((line) => line.level === 'warn' && line.message === 'site files rejected; keeping the previous site'));

  // Editors save by writing a temporary file and renaming it over the original.
  change = nextChange(watcher);
  writeFileSync(join(dir, 'roads.geojson.tmp'), roadsWith(4));
  renameSync(join(dir, 'roads.geojson.tmp'), join(dir, 'roads.geojson'));
  const renamed = await change;
  t.equal(renamed.kind, 'reloaded');
  t.equal(watcher.site.roads.length, 4);

  change = nextChange(watcher);
  writeFileSync(join(dir, 'zones.geojson'), '{ not json');
  const badZones = await change;
  t.equal(badZones.kind, 'rejected', 'a new bad optional file is rejected too');
  t.equal(watcher.site.roads.length, 4);
});

t.test('a failing listener is logged and does not stop the others', async (t) => {
  const dir = siteDir(t, roadsWith(1));
  const { log, lines } = capture();
  const watcher = new SiteWatcher(dir, { debounceMs: 30, log });
  t.teardown(() => watcher.stop());
  await watcher.start();
  watcher.onChange(() => {
    throw new Error('listener bug');
  });
  const change = nextChange(watcher);
  writeFileSync(join(dir, 'roads.geojson'), roadsWith(2));
  t.equal((await change).kind, 'reloaded');
  t.ok(lines.some((line) => line.level === 'error' && line.message === 'site change listener failed'));
});

t.test('reload() with unchanged files reports nothing; after stop() edits are ignored', async (t) => {
  const dir = siteDir(t, roadsWith(1));
  const watcher = new SiteWatcher(dir, { debounceMs: 30 });
  await watcher.start();
  t.equal(await watcher.reload(), undefined);
  await watcher.stop();
  const seen: SiteChange[] = [];
  watcher.onChange((change) => seen.push(change));
  writeFileSync(join(dir, 'roads.geojson'), roadsWith(2));
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.same(seen, []);
  t.equal(watcher.site.roads.length, 1);
});

t.test('start() refuses a bad site: there is nothing to fall back on', async (t) => {
  const dir = siteDir(t, roadsWith(1, -1));
  const watcher = new SiteWatcher(dir);
  await t.rejects(watcher.start(), SiteError);
  t.throws(() => watcher.site, /before start/);
});
