import t from 'tap';
import { etasToIncident } from '../../src/dispatch/eta.js';
import { AGAINST, ALONG, buildRoadGraph } from '../../src/dispatch/road-graph.js';
import { parseSite } from '../../src/site/parse-site.js';
import { at, graphOf, near, roadsOf } from './fixtures.js';
import { randomNetwork } from './random-network.js';

function reachable(specs: Parameters<typeof graphOf>[0], from: [number, number], to: [number, number], toleranceM?: number): boolean {
  const graph = buildRoadGraph(roadsOf(specs), toleranceM === undefined ? {} : { junctionToleranceM: toleranceM });
  return etasToIncident(graph, at(...to), [{ id: 'team', ...at(...from) }]).teams[0]!.etaSeconds < Infinity;
}

t.test('roads sharing a vertex meet at a junction; vertices within 0.5 m merge, farther ones do not', async (t) => {
  t.ok(reachable([{ path: [[0, 0], [100, 0]] }, { path: [[100, 0], [100, 100]] }], [0, 0], [100, 100]), 'shared vertex');
  t.ok(reachable([{ path: [[0, 0], [100, 0]] }, { path: [[100.3, 0], [100.3, 100]] }], [0, 0], [100.3, 100]), '0.3 m gap');
  t.notOk(reachable([{ path: [[0, 0], [100, 0]] }, { path: [[102, 0], [102, 100]] }], [0, 0], [102, 100]), '2 m gap');
  t.notOk(reachable([{ path: [[0, 0], [100, 0]] }, { path: [[100.3, 0], [100.3, 100]] }], [0, 0], [100.3, 100], 0), 'tolerance 0: exact only');
});

t.test('roads that cross without a shared vertex (a bridge) are not connected', async (t) => {
  const bridge = [{ path: [[0, 0], [200, 0]] as [number, number][] }, { path: [[100, -100], [100, 100]] as [number, number][] }];
  t.notOk(reachable(bridge, [0, 0], [100, 100]));
});

t.test('segments run between consecutive vertices; a one-way road gets one arc per segment', async (t) => {
  const graph = graphOf([
    { path: [[0, 0], [100, 0], [200, 0]] },
    { path: [[200, 0], [300, 0]], oneway: true },
    { path: [[300, 0], [400, 0]], oneway: '-1' },
  ]);
  t.equal(graph.nodeCount, 5);
  t.equal(graph.segmentCount, 4);
  t.same([...graph.segTravel], [ALONG | AGAINST, ALONG | AGAINST, ALONG, AGAINST]);
  t.equal(graph.outNode.length, 6, 'two arcs for each two-way segment, one for each one-way');
  t.equal(graph.inNode.length, 6);
  t.ok(near(graph.segLengthM[0]!, 100, 1e-4));
  t.ok(near(graph.segSeconds[0]!, 10, 1e-4), '100 m at 36 km/h');
  t.equal(graph.secondsAlong(2, 0.5, 0.2), Infinity, 'against a one-way segment');
  t.ok(near(graph.secondsAlong(3, 0.5, 0.2), 3, 1e-4), 'with a oneway=-1 segment');
  t.equal(graph.secondsAlong(2, 0.5, 0.5), 0, 'standing still is always allowed');
});

t.test('snap finds the same nearest road point as trying every segment, inside and far outside the network', async (t) => {
  const network = randomNetwork({ seed: 7, columns: 12, rows: 9, teamCount: 0 });
  const parsed = parseSite({ roads: network.roads });
  if (!parsed.ok) throw new Error('generated roads do not validate');
  const graph = buildRoadGraph(parsed.site.roads);
  const p = graph.projection;
  const probes = Array.from({ length: 500 }, () => network.randomPosition());
  probes.push(at(-5000, -5000), at(20_000, 300), at(400, 9000));
  let mismatches = 0;
  for (const { lon, lat } of probes) {
    const snap = graph.snap(lon, lat)!;
    let best = Infinity;
    for (let s = 0; s < graph.segmentCount; s++) {
      const ax = graph.nodeX[graph.segFrom[s]!]!;
      const ay = graph.nodeY[graph.segFrom[s]!]!;
      const dx = graph.nodeX[graph.segTo[s]!]! - ax;
      const dy = graph.nodeY[graph.segTo[s]!]! - ay;
      const f = Math.max(0, Math.min(1, ((p.x(lon) - ax) * dx + (p.y(lat) - ay) * dy) / (dx * dx + dy * dy)));
      best = Math.min(best, Math.hypot(ax + f * dx - p.x(lon), ay + f * dy - p.y(lat)));
    }
    if (!near(snap.offRoadM, best, 1e-9, 1e-6)) mismatches += 1;
  }
  t.equal(mismatches, 0);
});

t.test('a snapped point lies on its segment at the reported fraction', async (t) => {
  const graph = graphOf([{ path: [[0, 0], [1000, 0]] }]);
  const snap = graph.snap(at(250, 40).lon, at(250, 40).lat)!;
  t.ok(near(snap.fraction, 0.25, 1e-4));
  t.ok(near(snap.offRoadM, 40, 1e-4));
  t.ok(near(snap.lon, at(250, 0).lon, 1e-9));
});

t.test('an empty network snaps nothing and reaches nobody', async (t) => {
  const graph = buildRoadGraph([]);
  t.equal(graph.snap(113.9, 22.5), undefined);
  t.equal(etasToIncident(graph, at(0, 0), [{ id: 'a', ...at(1, 1) }]).teams[0]!.etaSeconds, Infinity);
});
