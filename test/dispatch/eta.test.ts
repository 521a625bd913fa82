import t from 'tap';
import { etasToIncident } from '../../src/dispatch/eta.js';
import { haversineM } from '../../src/site/geo.js';
import { at, graphOf, near, type RoadSpec } from './fixtures.js';

// All roads 36 km/h = 10 m/s unless said otherwise; off-road 10 km/h.
const straight: RoadSpec[] = [{ path: [[0, 0], [1000, 0]] }];

const oneWayWithLoop: RoadSpec[] = [
  { id: 'one-way-east', path: [[0, 0], [1000, 0]], oneway: true },
  { id: 'loop', path: [[1000, 0], [1000, 500], [0, 500], [0, 0]] },
];

function eta(specs: RoadSpec[], incident: [number, number], ...teams: [number, number][]) {
  return etasToIncident(
    graphOf(specs),
    at(...incident),
    teams.map(([x, y], i) => ({ id: `t${i}`, ...at(x, y) })),
  ).teams;
}

t.test('team and incident on the same two-way segment drive straight there, either direction', async (t) => {
  const [behind, ahead] = eta(straight, [600, 0], [200, 0], [900, 0]);
  t.ok(near(behind!.etaSeconds, 40), `400 m at 10 m/s, got ${behind!.etaSeconds}`);
  t.ok(near(ahead!.etaSeconds, 30), `300 m back at 10 m/s, got ${ahead!.etaSeconds}`);
  t.ok(near(behind!.distanceM, 400));
  t.equal(behind!.route.length, 2, 'route is just the two road points');
});

t.test('one-way against you: the team drives round the block, not backwards', async (t) => {
  const [upstream, downstream] = eta(oneWayWithLoop, [300, 0], [100, 0], [700, 0]);
  t.ok(near(upstream!.etaSeconds, 20), `200 m with the traffic, got ${upstream!.etaSeconds}`);
  // 300 m to the end, 2000 m round the loop, 300 m in again.
  t.ok(near(downstream!.etaSeconds, 260), `got ${downstream!.etaSeconds}`);
  t.ok(near(downstream!.distanceM, 2600));
  const route = downstream!.route.map(([lon, lat]) => [Math.round(lonX(lon)), Math.round(latY(lat))]);
  t.same(route, [[700, 0], [1000, 0], [1000, 500], [0, 500], [0, 0], [300, 0]], 'route follows the loop');
});

t.test('oneway "-1" runs against the drawing direction', async (t) => {
  const reversed: RoadSpec[] = [
    { path: [[1000, 0], [0, 0]], oneway: '-1' },
    { path: [[1000, 0], [1000, 500], [0, 500], [0, 0]] },
  ];
  const [upstream, downstream] = eta(reversed, [300, 0], [100, 0], [700, 0]);
  t.ok(near(upstream!.etaSeconds, 20));
  t.ok(near(downstream!.etaSeconds, 260));
});

t.test('one-way against you with no way round is unreachable', async (t) => {
  const [downstream] = eta([{ path: [[0, 0], [1000, 0]], oneway: true }], [300, 0], [700, 0]);
  t.equal(downstream!.etaSeconds, Infinity);
  t.same(downstream!.route, []);
});

t.test('a team on a road not connected to the incident is unreachable', async (t) => {
  const islands: RoadSpec[] = [{ path: [[0, 0], [1000, 0]] }, { path: [[0, 200], [1000, 200]] }];
  const [island] = eta(islands, [500, 0], [500, 200]);
  t.equal(island!.etaSeconds, Infinity);
});

t.test('a team exactly on a node leaves by any road, even the tail of a one-way street', async (t) => {
  // (1000, 0) ends the one-way street and starts the loop; (0, 0) starts the one-way street.
  const [atEnd, atStart] = eta(oneWayWithLoop, [300, 0], [1000, 0], [0, 0]);
  t.ok(near(atEnd!.etaSeconds, 230), `loop 2000 m + 300 m, got ${atEnd!.etaSeconds}`);
  t.ok(near(atStart!.etaSeconds, 30), `got ${atStart!.etaSeconds}`);
});

t.test('an incident exactly on a node is reached through any of its roads', async (t) => {
  const [fromLoop] = eta(oneWayWithLoop, [0, 0], [0, 250]);
  t.ok(near(fromLoop!.etaSeconds, 25), `250 m down the loop, got ${fromLoop!.etaSeconds}`);
});

t.test('off-road gaps at both ends are covered at the slow off-road speed', async (t) => {
  // Team 300 m off the road: 300 m at 10 km/h is 108 s, however close the road is.
  const [team] = eta(straight, [600, 20], [200, 300]);
  const expected = 300 / (10 / 3.6) + 40 + 20 / (10 / 3.6);
  t.ok(near(team!.etaSeconds, expected), `expected ${expected}, got ${team!.etaSeconds}`);
  t.ok(near(team!.distanceM, 300 + 400 + 20, 1e-4, 0.01));
  t.same(team!.route[0], [at(200, 300).lon, at(200, 300).lat], 'route starts at the team');
  t.same(team!.route.at(-1), [at(600, 20).lon, at(600, 20).lat], 'route ends at the incident');
});

t.test('slower roads cost more time for the same distance', async (t) => {
  const slow: RoadSpec[] = [{ path: [[0, 0], [1000, 0]], speedKmh: 18 }];
  const [team] = eta(slow, [600, 0], [200, 0]);
  t.ok(near(team!.etaSeconds, 80));
});

t.test('route distance adds up along the returned coordinates', async (t) => {
  const [team] = eta(oneWayWithLoop, [300, 0], [700, 0]);
  let sum = 0;
  const route = team!.route;
  for (let i = 1; i < route.length; i++) sum += haversineM(route[i - 1]![0], route[i - 1]![1], route[i]![0], route[i]![1]);
  t.ok(near(sum, team!.distanceM, 1e-4, 0.01), `${sum} vs ${team!.distanceM}`);
});

const METRES_PER_DEGREE_LAT = 111_195.08;
function lonX(lon: number): number {
  return (lon - at(0, 0).lon) * METRES_PER_DEGREE_LAT * Math.cos((at(0, 0).lat * Math.PI) / 180);
}
function latY(lat: number): number {
  return (lat - at(0, 0).lat) * METRES_PER_DEGREE_LAT;
}
