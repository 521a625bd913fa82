import t from 'tap';
import { LoginRateLimit, SlidingWindow } from '../../src/accounts/login-rate-limit.js';

const MINUTE = 60_000;

t.test('a sliding window allows max hits, then says how long until the oldest leaves', async (t) => {
  const window = new SlidingWindow(3, 10 * MINUTE);
  for (const at of [0, MINUTE, 2 * MINUTE]) {
    t.equal(window.waitMs('k', at), 0);
    window.hit('k', at);
  }
  t.equal(window.waitMs('k', 2 * MINUTE), 8 * MINUTE, 'until the hit at 0 is 10 minutes old');
  t.equal(window.waitMs('k', 10 * MINUTE - 1), 1);
  t.equal(window.waitMs('k', 10 * MINUTE), 0, 'no fixed-window edge: exactly when the first hit leaves');
  window.hit('k', 10 * MINUTE);
  t.equal(window.waitMs('k', 10 * MINUTE), MINUTE, 'the hit at 1 minute is the next to leave');
  t.equal(window.waitMs('other', 10 * MINUTE), 0, 'keys are independent');
});

t.test('forgive takes one hit back; an emptied key is dropped', async (t) => {
  const window = new SlidingWindow(2, MINUTE);
  window.hit('k', 5);
  window.hit('k', 6);
  t.ok(window.waitMs('k', 6) > 0);
  window.forgive('k', 6);
  t.equal(window.waitMs('k', 6), 0);
  window.forgive('k', 5);
  t.equal(window.size, 0);
  window.forgive('nothing', 1);
});

t.test('the number of keys is bounded: expired keys go first, then the oldest', async (t) => {
  const window = new SlidingWindow(5, MINUTE, 3);
  window.hit('a', 0);
  window.hit('b', 0);
  window.hit('c', 30_000);
  window.hit('d', MINUTE + 1);
  t.equal(window.size, 2, 'a and b had expired');
  window.hit('e', MINUTE + 2);
  window.hit('f', MINUTE + 3);
  t.equal(window.size, 3);
  t.equal(window.waitMs('c', MINUTE + 3), 0, 'c, the oldest live key, made room');
});

t.test('the window refuses nonsense options', async (t) => {
  t.throws(() => new SlidingWindow(0, MINUTE), RangeError);
  t.throws(() => new SlidingWindow(1, 0), RangeError);
});

t.test('log-in limit: per username and per client; an attempt counts from its start, a success takes it back', async (t) => {
  const clock = { now: 0 };
  const limit = new LoginRateLimit({ maxFailuresPerUsername: 2, maxFailuresPerClient: 3, windowMs: 15 * MINUTE, now: () => clock.now });
  const first = limit.begin('10.0.0.1', 'olga');
  limit.begin('10.0.0.1', 'olga');
  t.ok(limit.waitMs('10.0.0.1', 'olga') > 0, 'two attempts in flight already fill the username window');
  t.ok(limit.waitMs('10.0.0.2', 'olga') > 0, 'from any address');
  first.succeeded();
  t.equal(limit.waitMs('10.0.0.2', 'olga'), 0, 'the successful one does not count');
  limit.begin('10.0.0.1', 'ivan');
  limit.begin('10.0.0.1', 'tom');
  t.equal(limit.waitMs('10.0.0.1', 'zoe'), 15 * MINUTE, 'the client window is full: any username waits');
  t.equal(limit.waitMs('10.0.0.9', 'zoe'), 0);
  clock.now = 15 * MINUTE;
  t.equal(limit.waitMs('10.0.0.1', 'olga'), 0, 'all forgotten after the window');
});
