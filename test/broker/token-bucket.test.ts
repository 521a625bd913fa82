import t from 'tap';
import { TokenBuckets } from '../../src/broker/token-bucket.js';

t.test('a burst is allowed, then the rate; waits grow as the device keeps pushing', async (t) => {
  let now = 0;
  const buckets = new TokenBuckets(() => now);
  const limit = { ratePerSecond: 10, burst: 5 };
  for (let i = 0; i < 5; i++) t.equal(buckets.take('d', limit), 0, `burst ${i}`);
  t.equal(buckets.take('d', limit), 100, 'sixth waits one token period');
  t.equal(buckets.take('d', limit), 200, 'seventh waits two');
  now = 1000;
  t.equal(buckets.take('d', limit), 0, 'refilled after a second');
});

t.test('one device flooding does not touch another device\'s bucket', async (t) => {
  const now = 0;
  const buckets = new TokenBuckets(() => now);
  const limit = { ratePerSecond: 1, burst: 1 };
  buckets.take('flood', limit);
  t.ok(buckets.take('flood', limit) > 0);
  t.equal(buckets.take('quiet', limit), 0);
});
