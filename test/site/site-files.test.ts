import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { describeSiteIssue, loadSite, parseSite, parseSiteTexts, SiteError, type SiteInput } from '../../src/site/site-files.js';

const fc = (...features: unknown[]) => ({ type: 'FeatureCollection', features });
const line = { type: 'LineString', coordinates: [[113.93, 22.54], [113.931, 22.54]] };
const square = { type: 'Polygon', coordinates: [[[113.93, 22.54], [113.94, 22.54], [113.94, 22.55], [113.93, 22.54]]] };
const road = (properties: unknown, extra: object = {}) => ({ type: 'Feature', geometry: line, properties, ...extra });

function messages(input: SiteInput): string[] {
  const result = parseSite(input);
  return result.ok ? [] : result.issues.map(describeSiteIssue);
}

t.test('a good site parses: speeds, classes, one-way spellings, multi-lines, zones with holes, places', async (t) => {
  const result = parseSite({
    roads: fc(
      road({ speedKmh: 25, name: 'Xinhe Road' }, { id: 'r-1' }),
      road({ class: 'lane', oneway: true, id: 'r-2' }),
      road({ class: 'main', oneway: 'yes' }),
      road({ class: 'path', oneway: '-1', speedKmh: 6, fid: 4, highway: 'footway', width: null }),
      road({ class: 'secondary', oneway: false }),
      { type: 'Feature', geometry: { type: 'MultiLineString', coordinates: [line.coordinates, [[113.931, 22.54], [113.931, 22.541]]] }, properties: { class: 'lane' } },
    ),
    zones: fc(
      { type: 'Feature', id: 'ward-3', geometry: square, properties: { name: 'Ward 3' } },
      {
        type: 'Feature',
        geometry: { type: 'MultiPolygon', coordinates: [square.coordinates] },
        properties: { name: 'Industrial park' },
      },
    ),
    places: fc({ type: 'Feature', geometry: { type: 'Point', coordinates: [113.935, 22.545] }, properties: { name: 'Dongfang Textiles', type: 'factory', id: 'p-9' } }),
  });
  if (!result.ok) throw new Error(result.issues.map(describeSiteIssue).join('\n'));
  const { roads, zones, places } = result.site;
  t.same(
    roads.map((r) => [r.id, r.speedKmh, r.travel, r.roadClass]),
    [
      ['r-1', 25, 'both', undefined],
      ['r-2', 15, 'forward', 'lane'],
      ['#2', 40, 'forward', 'main'],
      ['#3', 6, 'backward', 'path'],
      ['#4', 30, 'both', 'secondary'],
      ['#5', 15, 'both', 'lane'],
    ],
  );
  t.equal(roads[0]?.name, 'Xinhe Road');
  t.equal(roads[5]?.lines.length, 2);
  t.same(zones.map((z) => z.id), ['ward-3', 'Industrial park']);
  t.same(places[0], { id: 'p-9', index: 0, name: 'Dongfang Textiles', type: 'factory', lon: 113.935, lat: 22.545 });
});

t.test('every kind of bad road gives one precise line', async (t) => {
  const cases: [string, unknown, string][] = [
    ['speed as text', road({ speedKmh: 'fast' }, { id: 'r-77' }), 'roads.geojson feature #0 (id "r-77"): property speedKmh: expected a positive number (km/h), got "fast"'],
    ['negative speed', road({ speedKmh: -5 }), 'roads.geojson feature #0: property speedKmh: expected a positive number (km/h), got -5'],
    ['absurd speed', road({ speedKmh: 900 }), 'roads.geojson feature #0: property speedKmh: expected at most 200 km/h, got 900'],
    ['unknown class', road({ class: 'highway' }), 'roads.geojson feature #0: property class: expected one of main, secondary, lane, path, got "highway"'],
    ['no speed, no class', road({ name: 'x' }), 'roads.geojson feature #0: property speedKmh: expected a speed in km/h, or a road class (main, secondary, lane, path), but it is missing'],
    ['null properties', road(null), 'roads.geojson feature #0: property speedKmh: expected a speed in km/h, or a road class (main, secondary, lane, path), but it is missing'],
    ['bad oneway', road({ class: 'lane', oneway: 'both' }), 'roads.geojson feature #0: property oneway: expected true, false, "yes", "no" or "-1", got "both"'],
    ['misspelt oneway', road({ class: 'lane', one_way: 'yes' }), 'roads.geojson feature #0: property one_way: unknown property; did you mean "oneway"?'],
    ['properties not an object', road('main'), 'roads.geojson feature #0: properties: expected an object of road properties, got "main"'],
    ['not a feature', 'road', 'roads.geojson feature #0: expected a GeoJSON Feature object, got "road"'],
    ['wrong feature type', { ...road({ class: 'lane' }), type: 'feature' }, 'roads.geojson feature #0: type: expected "Feature", got "feature"'],
    ['no geometry', { type: 'Feature', geometry: null, properties: { class: 'lane' } }, 'roads.geojson feature #0: geometry: expected a LineString or MultiLineString geometry, got null'],
    ['point road', { type: 'Feature', geometry: { type: 'Point', coordinates: [113.93, 22.54] }, properties: { class: 'lane' } }, 'roads.geojson feature #0: geometry.type: expected "LineString" or "MultiLineString", got "Point"'],
    ['one position', { type: 'Feature', geometry: { type: 'LineString', coordinates: [[113.93, 22.54]] }, properties: { class: 'lane' } }, 'roads.geojson feature #0: geometry.coordinates: expected a line of at least two different positions, got [[113.93,22.54]]'],
    ['longitude out of range', { type: 'Feature', geometry: { type: 'LineString', coordinates: [[113.93, 22.54], [213.93, 22.54]] }, properties: { class: 'lane' } }, 'roads.geojson feature #0: geometry.coordinates[1][0]: expected a longitude between -180 and 180, got 213.93'],
    ['lat/lon swapped', { type: 'Feature', geometry: { type: 'LineString', coordinates: [[22.54, 113.93], [22.54, 113.931]] }, properties: { class: 'lane' } }, 'roads.geojson feature #0: geometry.coordinates[0][1]: expected a latitude between -90 and 90 (positions are [longitude, latitude]: swapped?), got 113.93\nroads.geojson feature #0: geometry.coordinates[1][1]: expected a latitude between -90 and 90 (positions are [longitude, latitude]: swapped?), got 113.931'],
    ['coordinate as text', { type: 'Feature', geometry: { type: 'LineString', coordinates: [[113.93, 22.54], ['113.94', 22.54]] }, properties: { class: 'lane' } }, 'roads.geojson feature #0: geometry.coordinates[1][0]: expected a longitude between -180 and 180, got "113.94"'],
    ['position not a pair', { type: 'Feature', geometry: { type: 'LineString', coordinates: [[113.93, 22.54], 113.94] }, properties: { class: 'lane' } }, 'roads.geojson feature #0: geometry.coordinates[1]: expected a position [longitude, latitude], got 113.94'],
    ['empty multi-line', { type: 'Feature', geometry: { type: 'MultiLineString', coordinates: [] }, properties: { class: 'lane' } }, 'roads.geojson feature #0: geometry.coordinates: expected a non-empty list of lines, got []'],
  ];
  for (const [name, feature, expected] of cases) t.same(messages({ roads: fc(feature) }), expected.split('\n'), name);
});

t.test('bad zones and places are named by file, feature and property', async (t) => {
  const open = { type: 'Polygon', coordinates: [[[113.93, 22.54], [113.94, 22.54], [113.94, 22.55], [113.93, 22.55]]] };
  t.same(messages({ roads: fc(road({ class: 'lane' })), zones: fc({ type: 'Feature', geometry: open, properties: { name: 'Ward 1' } }) }), [
    'zones.geojson feature #0 (id "Ward 1"): geometry.coordinates[0]: this ring is not closed: its last position must repeat the first (RFC 7946 §3.1.6)',
  ].map((m) => m.replace(' (id "Ward 1")', '')));
  t.same(messages({ roads: fc(road({ class: 'lane' })), zones: fc({ type: 'Feature', geometry: square, properties: { name: '  ' } }) }), [
    "zones.geojson feature #0: property name: expected the zone's name as text, got \"  \"",
  ]);
  t.same(messages({ roads: fc(road({ class: 'lane' })), zones: fc({ type: 'Feature', geometry: line, properties: { name: 'x' } }) }), [
    'zones.geojson feature #0: geometry.type: expected "Polygon" or "MultiPolygon", got "LineString"',
  ]);
  t.same(messages({ roads: fc(road({ class: 'lane' })), places: fc({ type: 'Feature', id: 'p-1', geometry: { type: 'Point', coordinates: [113.93, 22.54] }, properties: { type: 'school' } }) }), [
    'places.geojson feature #0 (id "p-1"): property name: expected the place\'s name as text, but it is missing',
  ]);
  t.same(
    messages({
      roads: fc(road({ class: 'lane' })),
      places: fc(
        { type: 'Feature', geometry: { type: 'Point', coordinates: [113.93, 22.54] }, properties: { name: 'School' } },
        { type: 'Feature', geometry: { type: 'Point', coordinates: [113.94, 22.54] }, properties: { name: 'School' } },
      ),
    }),
    ['places.geojson feature #1 (id "School"): id "School" is already used by feature #0 (a feature without an id is known by its name)'],
  );
});

t.test('whole-file problems are reported against the file', async (t) => {
  t.same(messages({ roads: [] }), ['roads.geojson: expected a GeoJSON FeatureCollection object, got []']);
  t.same(messages({ roads: { type: 'Collection', features: [road({ class: 'lane' })] } }), ['roads.geojson: type: expected "FeatureCollection", got "Collection"']);
  t.same(messages({ roads: fc() }), ['roads.geojson: features: expected at least one road']);
  t.same(messages({ roads: fc(road({ class: 'lane' })), zones: { type: 'FeatureCollection' } }), ['zones.geojson: features: expected a list of features, got nothing']);
});

t.test('all problems are collected, not just the first', async (t) => {
  const found = messages({
    roads: fc(road({ speedKmh: 'fast' }), road({ class: 'lane' }), road({ class: 'avenue', oneway: 2 }), { type: 'Feature', geometry: null, properties: {} }),
    zones: fc({ type: 'Feature', geometry: square, properties: {} }),
  });
  t.equal(found.length, 6, found.join('\n'));
  t.match(found.join('\n'), /feature #0.*speedKmh[\s\S]*feature #2.*class[\s\S]*feature #2.*oneway[\s\S]*feature #3.*geometry[\s\S]*feature #3.*speedKmh[\s\S]*zones.geojson feature #0.*name/);
});

t.test('a feature with many broken vertices lists a few, then says there are more', async (t) => {
  const coordinates = Array.from({ length: 50 }, (_, i) => [500 + i, 22.54]);
  const found = messages({ roads: fc({ type: 'Feature', geometry: { type: 'LineString', coordinates }, properties: { class: 'lane' } }) });
  t.equal(found.length, 6);
  t.equal(found[5], 'roads.geojson feature #0: geometry.coordinates: more problems in these coordinates are not listed');
});

t.test('text that is not JSON says where', async (t) => {
  const result = parseSiteTexts({ roads: '{\n  "type": "FeatureCollection",\n  "features": [,]\n}' });
  t.notOk(result.ok);
  if (!result.ok) t.match(describeSiteIssue(result.issues[0]!), /^roads\.geojson: not valid JSON: .*\(line 3, column 16\)$/);
  for (const [text, line, column] of [
    ['{\n "type": "FeatureCollection",\n "features": [\n  {"type": "Feature"}\n  {"type": "Feature"}\n ]\n}', 5, 3],
    ['{"type": "FeatureCollection", "features": [1, 2,]}', 1, 49],
    ['{"type": "FeatureCollection", "features": [tru]}', 1, 47],
    ['{"type": "FeatureCollection",\n "features": []', 2, 16],
  ] as const) {
    const bad = parseSiteTexts({ roads: text });
    t.match(bad.ok ? '' : describeSiteIssue(bad.issues[0]!), `(line ${line}, column ${column})`, text);
  }
  const missing = parseSiteTexts({ roads: undefined });
  t.same(missing.ok ? [] : missing.issues.map(describeSiteIssue), ['roads.geojson: the file is missing; a site needs its roads']);
});

t.test('loadSite reads a directory; zones and places are optional; errors throw SiteError with every issue', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'site-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'roads.geojson'), JSON.stringify(fc(road({ class: 'lane' }))));
  const site = await loadSite(dir);
  t.equal(site.roads.length, 1);
  t.same(site.zones, []);
  writeFileSync(join(dir, 'places.geojson'), JSON.stringify(fc({ type: 'Feature', geometry: null, properties: {} })));
  const error = await loadSite(dir).then(
    () => undefined,
    (err: unknown) => err,
  );
  t.ok(error instanceof SiteError);
  if (error instanceof SiteError) {
    t.equal(error.issues.length, 2);
    t.match(error.message, /places\.geojson feature #0: geometry: expected a Point geometry, got null/);
  }
});

t.test('the examples in docs/site-files.md are a valid site', async (t) => {
  const doc = readFileSync(new URL('../../docs/site-files.md', import.meta.url), 'utf8');
  const [roads, zones, places] = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1]!) as unknown);
  const result = parseSite({ roads, zones, places });
  t.ok(result.ok, result.ok ? 'valid' : result.issues.map(describeSiteIssue).join('\n'));
  if (result.ok) t.same([result.site.roads.length, result.site.zones.length, result.site.places.length], [2, 1, 1]);
});
