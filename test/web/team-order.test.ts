import t from 'tap';

/**
 * The team page's order logic (src/web/public/lib/team-order.js): plain browser code with no DOM,
 * so Node runs it as it is. Imported by URL: the project's TypeScript does not type-check the
 * browser's JavaScript (src/web/tsconfig.json does).
 */
type Order = { status: 'sent' | 'accepted' | 'arrived'; sentAt: number; etaSeconds: number; route: [number, number][]; incident: { lon: number | null; lat: number | null; openedAt: number; arrivedAt: number | null } };
interface TeamOrderLib {
  allowedActions(order: Order | null): Record<'accept' | 'arrived' | 'resolve', boolean>;
  targetClock(incident: Order['incident'], targetSeconds: number, now: number): { state: string; elapsed: number; remaining: number; share: number };
  etaLeft(order: Order, now: number): number;
  focusBox(order: Order | null, team: { lon: number | null; lat: number | null } | null, minSpanM?: number): [number, number, number, number] | null;
  clockOffset(serverTime: number, sentAt: number, receivedAt: number): number;
}
const lib = (await import(new URL('../../src/web/public/lib/team-order.js', import.meta.url).href)) as TeamOrderLib;

const order = (status: Order['status'], over: Partial<Order['incident']> = {}): Order => ({
  status,
  sentAt: 10_000,
  etaSeconds: 80,
  route: [
    [120.21, 30.2],
    [120.22, 30.2],
  ],
  incident: { lon: 120.22, lat: 30.2, openedAt: 9_000, arrivedAt: null, ...over },
});

t.test('the buttons follow the order: accept, then arrived and resolve, then resolve', async (t) => {
  t.same(lib.allowedActions(null), { accept: false, arrived: false, resolve: false });
  t.same(lib.allowedActions(order('sent')), { accept: true, arrived: false, resolve: false });
  t.same(lib.allowedActions(order('accepted')), { accept: false, arrived: true, resolve: true });
  t.same(lib.allowedActions(order('arrived')), { accept: false, arrived: false, resolve: true });
});

t.test('the clock counts against the target from the alarm and stops on arrival', async (t) => {
  t.match(lib.targetClock(order('sent').incident, 180, 9_000 + 60_000), { state: 'running', elapsed: 60, remaining: 120 });
  t.match(lib.targetClock(order('sent').incident, 180, 9_000 + 200_000), { state: 'late', elapsed: 200, share: 1 });
  t.match(lib.targetClock(order('arrived', { arrivedAt: 9_000 + 150_000 }).incident, 180, 9_000 + 900_000), { state: 'met', elapsed: 150 });
  t.match(lib.targetClock(order('arrived', { arrivedAt: 9_000 + 190_000 }).incident, 180, 9_000 + 900_000), { state: 'missed', elapsed: 190 });
  t.equal(lib.etaLeft(order('accepted'), 10_000 + 30_000), 50, 'ETA counts from when the order was sent');
  t.equal(lib.etaLeft(order('accepted'), 10_000 + 100_000), -20);
});

t.test('the map frames the route, the incident and the team, never smaller than a few streets', async (t) => {
  t.equal(lib.focusBox(null, null), null, 'nothing to frame: the whole site');
  const [w, s, e, n] = lib.focusBox(order('sent'), { lon: 120.205, lat: 30.201 })!;
  t.ok(w < 120.205 && e > 120.22 && s < 30.2 && n > 30.201, 'everything inside');
  const [w2, s2, e2, n2] = lib.focusBox(null, { lon: 120.2, lat: 30.2 }, 800)!;
  t.ok((n2 - s2) * 111_320 >= 799, 'at least 800 m north to south');
  t.ok((e2 - w2) * 111_320 * Math.cos((30.2 * Math.PI) / 180) >= 799, 'and east to west');
});

t.test('the gateway clock from the middle of the request', async (t) => {
  t.equal(lib.clockOffset(1_000_500, 1_000_000 - 60_000, 1_000_200 - 60_000), 60_400, 'a phone a minute slow');
});
