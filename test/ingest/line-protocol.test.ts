import t from 'tap';
import { encodePoint } from '../../src/ingest/line-protocol.js';
import { PointClock } from '../../src/ingest/point-clock.js';

t.test('escapes measurement, tags and string fields; types integers', async (t) => {
  const line = encodePoint(
    {
      measurement: 'fire event',
      tags: { site: 'a,b', device: 'x=y', empty: '' },
      fields: { battery: 87, temp_c: 21.5, alarm: true, note: 'say "hi"\\ now\nplease' },
      timeNs: 1700000000000000001n,
    },
    { battery: 'integer', temp_c: 'float', alarm: 'boolean', note: 'string' },
  );
  t.equal(line, 'fire\\ event,device=x\\=y,site=a\\,b battery=87i,temp_c=21.5,alarm=true,note="say \\"hi\\"\\\\ now\\nplease" 1700000000000000001');
});

t.test('a value that does not fit its declared type is dropped, not allowed to conflict', async (t) => {
  t.equal(encodePoint({ measurement: 'm', tags: {}, fields: { a: 'x', b: 1 }, timeNs: 1n }, { a: 'integer' }), 'm b=1 1');
  t.equal(encodePoint({ measurement: 'm', tags: {}, fields: { a: Number.NaN }, timeNs: 1n }, {}), undefined);
});

t.test('point clock: unique stamps within one millisecond, stable millisecond', async (t) => {
  const clock = new PointClock();
  const stamps = new Set<bigint>();
  for (let i = 0; i < 10_000; i++) {
    const ns = clock.stamp(1_700_000_000_123);
    t.equal(ns / 1_000_000n, 1_700_000_000_123n);
    stamps.add(ns);
  }
  t.equal(stamps.size, 10_000);
});
