import t from 'tap';
import { etasToIncident } from '../../src/dispatch/eta.js';
import { roadCoverage } from '../../src/dispatch/coverage.js';
import { buildRoadGraph } from '../../src/dispatch/road-graph.js';
import { parseSite } from '../../src/site/parse-site.js';
import { at, graphOf, near, type RoadSpec } from './fixtures.js';
import { randomNetwork } from './random-network.js';

// 10 km at 36 km/h (10 m/s): 180 s covers 1800 m from a team.
const longRoad: RoadSpec[] = [{ id: 'long', path: [[0, 0], [10_000, 0]] }];
const oneWayRoad: RoadSpec[] = [{ id: 'long', path: [[0, 0], [10_000, 0]], oneway: true }];

t.test('a team at the end of a straight road covers speed × 180 s of it', async (t) => {
  const graph = graphOf(longRoad);
  const coverage = roadCoverage(graph, [at(0, 0)]);
  t.ok(near(coverage.coveredM, 1800, 1e-4, 0.01), `covered ${coverage.coveredM} m`);
  t.ok(near(coverage.coveredShare, 0.18, 1e-4), `share ${coverage.coveredShare}`);
  t.equal(coverage.uncovered.features.length, 1);
  const piece = coverage.uncovered.features[0]!;
  t.equal(piece.properties.roadId, 'long');
  t.ok(near(piece.properties.lengthM, 8200, 1e-4, 0.1));
  t.ok(near(piece.geometry.coordinates[0]![0], at(1800, 0).lon, 1e-7), 'uncovered piece starts 1800 m out');
});

t.test('a team in the middle covers both ways', async (t) => {
  const coverage = roadCoverage(graphOf(longRoad), [at(5000, 0)]);
  t.ok(near(coverage.coveredM, 3600, 1e-4, 0.01));
  t.equal(coverage.uncovered.features.length, 2);
});

t.test('a one-way road is covered only downstream of the team', async (t) => {
  const upstream = roadCoverage(graphOf(oneWayRoad), [at(0, 0)]);
  t.ok(near(upstream.coveredM, 1800, 1e-4, 0.01));
  const downstream = roadCoverage(graphOf(oneWayRoad), [at(10_000, 0)]);
  t.ok(near(downstream.coveredM, 0, 0, 0.01), `covered ${downstream.coveredM} m`);
  const middle = roadCoverage(graphOf(oneWayRoad), [at(5000, 0)]);
  t.ok(near(middle.coveredM, 1800, 1e-4, 0.01));
});

t.test('time spent reaching the road is taken off the budget', async (t) => {
  // 100 m at 10 km/h is 36 s, leaving 144 s = 1440 m.
  const coverage = roadCoverage(graphOf(longRoad), [at(0, 100)]);
  t.ok(near(coverage.coveredM, 1440, 1e-3, 0.1), `covered ${coverage.coveredM} m`);
});

t.test('coverage flows across vertices and junctions, and uncovered pieces of one line merge', async (t) => {
  const bent: RoadSpec[] = [
    { id: 'main', path: [[0, 0], [500, 0], [1000, 0], [1500, 0], [2000, 0], [2500, 0], [3000, 0]] },
    { id: 'branch', path: [[1000, 0], [1000, 1000]] },
  ];
  const coverage = roadCoverage(graphOf(bent), [at(0, 0)]);
  // 1800 m along main, and 800 m up the branch after the first 1000 m.
  t.ok(near(coverage.coveredM, 2600, 1e-4, 0.05), `covered ${coverage.coveredM}`);
  t.same(coverage.uncovered.features.map((f) => f.properties.roadId).sort(), ['branch', 'main']);
  const main = coverage.uncovered.features.find((f) => f.properties.roadId === 'main')!;
  t.equal(main.geometry.coordinates.length, 4, '1800 → 2000 → 2500 → 3000 as one LineString');
  t.ok(near(main.properties.lengthM, 1200, 1e-4, 0.1));
});

t.test('no teams: nothing covered; whole network: everything', async (t) => {
  const none = roadCoverage(graphOf(longRoad), []);
  t.equal(none.coveredM, 0);
  t.equal(none.coveredShare, 0);
  const short = roadCoverage(graphOf([{ path: [[0, 0], [1000, 0]] }]), [at(500, 0)]);
  t.equal(short.coveredShare, 1);
  t.same(short.uncovered.features, []);
});

t.test('on random networks the share is between 0 and 1, grows with teams, and agrees with per-point ETAs', async (t) => {
  const checked = { covered: 0, uncovered: 0 };
  for (let seed = 1; seed <= 30; seed++) {
    const network = randomNetwork({ seed, columns: 8, rows: 8, teamCount: 6, spacingM: 200 });
    const parsed = parseSite({ roads: network.roads });
    if (!parsed.ok) throw new Error('generated roads do not validate');
    const graph = buildRoadGraph(parsed.site.roads);
    const few = roadCoverage(graph, network.teams.slice(0, 2));
    const all = roadCoverage(graph, network.teams);
    t.ok(few.coveredShare >= 0 && few.coveredShare <= 1 && all.coveredShare >= 0 && all.coveredShare <= 1, `seed ${seed}: shares in [0, 1]`);
    t.ok(all.coveredShare >= few.coveredShare - 1e-9, `seed ${seed}: more teams never cover less`);
    t.ok(near(all.coveredM + all.uncovered.features.reduce((sum, f) => sum + f.properties.lengthM, 0), all.totalM, 1e-4, 1), `seed ${seed}: covered + uncovered = total`);

    // A point on a road is covered exactly when some team's ETA to it is within 180 s.
    for (let k = 0; k < 40; k++) {
      const segment = Math.floor(network.random() * graph.segmentCount);
      const fraction = network.random();
      const [lon, lat] = graph.pointAt(segment, fraction);
      const fastest = Math.min(...etasToIncident(graph, { lon, lat }, network.teams).teams.map((team) => team.etaSeconds));
      if (Math.abs(fastest - 180) < 0.5) continue;
      const covered = !all.uncovered.features.some((feature) => onPiece(graph, feature.geometry.coordinates, lon, lat));
      checked[covered ? 'covered' : 'uncovered'] += 1;
      if (covered !== fastest <= 180) t.fail(`seed ${seed}: point on segment ${segment} at ${fraction.toFixed(3)} has ETA ${fastest} s but covered=${covered}`);
    }
  }
  t.ok(checked.covered > 100 && checked.uncovered > 100, `both kinds of point checked: ${JSON.stringify(checked)}`);
});

/** Whether (lon, lat) lies on a piece's polyline, within a few centimetres. */
function onPiece(graph: ReturnType<typeof buildRoadGraph>, coordinates: readonly (readonly [number, number])[], lon: number, lat: number): boolean {
  const p = graph.projection;
  const x = p.x(lon);
  const y = p.y(lat);
  for (let i = 1; i < coordinates.length; i++) {
    const [aLon, aLat] = coordinates[i - 1]!;
    const [bLon, bLat] = coordinates[i]!;
    const ax = p.x(aLon);
    const ay = p.y(aLat);
    const dx = p.x(bLon) - ax;
    const dy = p.y(bLat) - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    if (Math.hypot(ax + t * dx - x, ay + t * dy - y) < 0.05) return true;
  }
  return false;
}
