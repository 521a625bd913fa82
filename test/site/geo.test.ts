import t from 'tap';
import { haversineM, LocalProjection, parseSite, PlaceIndex, ZoneIndex, type Site } from '../../src/site/site-files.js';

t.test('haversine: one degree of latitude is about 111.2 km; a point is 0 m from itself', async (t) => {
  t.ok(Math.abs(haversineM(113.93, 22, 113.93, 23) - 111_195) < 1);
  t.equal(haversineM(113.93, 22.54, 113.93, 22.54), 0);
  // Shenzhen to Guangzhou city centres, about 104 km.
  t.ok(Math.abs(haversineM(114.0579, 22.5431, 113.2644, 23.1291) / 1000 - 104) < 2);
});

t.test('local projection: round trip, and within 0.1% of haversine across a village', async (t) => {
  const projection = new LocalProjection(113.93, 22.54);
  const x = projection.x(113.95);
  const y = projection.y(22.56);
  t.ok(Math.abs(projection.lon(x) - 113.95) < 1e-12);
  t.ok(Math.abs(projection.lat(y) - 22.56) < 1e-12);
  const flat = Math.hypot(x, y);
  const round = haversineM(113.93, 22.54, 113.95, 22.56);
  t.ok(Math.abs(flat - round) / round < 1e-3, `${flat} vs ${round}`);
  const around = LocalProjection.around([[113.9, 22.5], [114.0, 22.6]]);
  t.equal(around.originLon, 113.95);
  t.equal(around.originLat, 22.55);
});

function sampleSite(): Site {
  const square = (x0: number, y0: number, size: number) => [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]];
  const result = parseSite({
    roads: { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'LineString', coordinates: [[113.9, 22.5], [113.91, 22.5]] }, properties: { class: 'lane' } }] },
    zones: {
      type: 'FeatureCollection',
      features: [
        // Ward 1 has a hole (a lake); the factory compound sits inside Ward 1.
        { type: 'Feature', id: 'ward-1', geometry: { type: 'Polygon', coordinates: [square(113.9, 22.5, 0.01), square(113.902, 22.502, 0.002)] }, properties: { name: 'Ward 1' } },
        { type: 'Feature', id: 'compound', geometry: { type: 'Polygon', coordinates: [square(113.906, 22.506, 0.002)] }, properties: { name: 'Factory compound' } },
        { type: 'Feature', id: 'ward-2', geometry: { type: 'MultiPolygon', coordinates: [[square(113.91, 22.5, 0.01)], [square(113.93, 22.5, 0.01)]] }, properties: { name: 'Ward 2' } },
      ],
    },
    places: {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: { type: 'Point', coordinates: [113.905, 22.505] }, properties: { name: 'Primary school', type: 'school' } },
        { type: 'Feature', geometry: { type: 'Point', coordinates: [113.9051, 22.5051] }, properties: { name: 'Dye works', type: 'factory' } },
        { type: 'Feature', geometry: { type: 'Point', coordinates: [113.95, 22.55] }, properties: { name: 'Far school', type: 'school' } },
      ],
    },
  });
  if (!result.ok) throw new Error('sample site does not validate');
  return result.site;
}

t.test('zone lookup: inside, in a hole, in a nested zone, in a second part, outside', async (t) => {
  const zones = new ZoneIndex(sampleSite().zones);
  t.equal(zones.zoneAt(113.901, 22.501)?.id, 'ward-1');
  t.equal(zones.zoneAt(113.903, 22.503)?.id, undefined, 'the lake is not in the ward');
  t.equal(zones.zoneAt(113.907, 22.507)?.id, 'compound', 'the smaller, more specific zone wins');
  t.same(zones.zonesAt(113.907, 22.507).map((z) => z.id), ['compound', 'ward-1']);
  t.equal(zones.zoneAt(113.935, 22.505)?.id, 'ward-2', 'second polygon of a MultiPolygon');
  t.equal(zones.zoneAt(113.925, 22.505), undefined, 'between the two parts');
  t.equal(zones.zoneAt(100, 10), undefined, 'far outside');
  t.equal(new ZoneIndex([]).zoneAt(113.9, 22.5), undefined, 'a site without zones');
});

t.test('zone lookup keeps up with thousands of points a second', async (t) => {
  const zones = new ZoneIndex(sampleSite().zones);
  const started = performance.now();
  let found = 0;
  for (let i = 0; i < 100_000; i++) if (zones.zoneAt(113.9 + (i % 400) * 1e-4, 22.5 + Math.floor(i / 400) * 4e-5)) found += 1;
  const perSecond = 100_000 / ((performance.now() - started) / 1000);
  t.ok(found > 0);
  t.ok(perSecond > 10_000, `${Math.round(perSecond)} lookups/s`);
});

t.test('nearest place, optionally of one type and within a distance', async (t) => {
  const places = new PlaceIndex(sampleSite().places);
  t.equal(places.nearest(113.9052, 22.5052)?.place.name, 'Dye works');
  t.equal(places.nearest(113.9052, 22.5052, { type: 'school' })?.place.name, 'Primary school');
  const near = places.nearest(113.9052, 22.5052, { type: 'school' });
  t.ok(near && near.distanceM > 20 && near.distanceM < 40, `${near?.distanceM} m`);
  t.equal(places.nearest(113.9052, 22.5052, { type: 'hospital' }), undefined);
  t.equal(places.nearest(114.2, 22.8, { maxDistanceM: 500 }), undefined);
  t.equal(new PlaceIndex([]).nearest(113.9, 22.5), undefined);
});
