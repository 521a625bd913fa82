import t from 'tap';
import { chooseTeam, rankByStraightLine } from '../../src/dispatch/choose-team.js';
import { buildRoadGraph } from '../../src/dispatch/road-graph.js';
import type { PatrolTeam } from '../../src/dispatch/team-eligibility.js';
import { parseSite } from '../../src/site/parse-site.js';
import { BruteForceRoads } from './brute-force.js';
import { at, graphOf, near, NOW, teamAt, type RoadSpec } from './fixtures.js';
import { randomNetwork } from './random-network.js';

t.test('on 200 random networks the chosen team is the one an independent brute force finds nearest by road', async (t) => {
  let compared = 0;
  let straightLineDiffers = 0;
  let sharesIncidentSegment = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const network = randomNetwork({ seed, columns: 3 + (seed % 7), rows: 3 + ((seed * 7) % 6), teamCount: 2 + (seed % 7) });
    const parsed = parseSite({ roads: network.roads });
    if (!parsed.ok) throw new Error(`seed ${seed}: generated roads do not validate`);
    const graph = buildRoadGraph(parsed.site.roads);
    const brute = new BruteForceRoads(parsed.site.roads);
    // Beside the scattered teams: one standing exactly on a junction or bend, and one a few
    // metres from the incident, usually on its own segment (the partial-edge cases).
    const road = parsed.site.roads[Math.floor(network.random() * parsed.site.roads.length)]!;
    const [nodeLon, nodeLat] = road.lines[0]![0]!;
    const nearby = { lon: network.incident.lon + (network.random() - 0.5) * 4e-4, lat: network.incident.lat + (network.random() - 0.5) * 4e-4 };
    const teams: PatrolTeam[] = [...network.teams, { id: 'on-node', lon: nodeLon, lat: nodeLat }, { id: 'nearby', ...nearby }].map((team) => ({
      ...team,
      status: 'available',
      lastSeenAt: NOW,
    }));
    const choice = chooseTeam(graph, { incident: network.incident, teams, now: NOW });
    if (graph.snap(nearby.lon, nearby.lat)?.segment === choice.incidentSnap?.segment) sharesIncidentSegment += 1;

    const expected = new Map(teams.map((team) => [team.id, brute.secondsFromTo(team, network.incident, 10)]));
    const fastest = Math.min(...expected.values());
    if (fastest === Infinity) {
      if (choice.best) t.fail(`seed ${seed}: brute force finds nobody, but ${choice.best.teamId} was chosen`);
      continue;
    }
    const chosen = choice.best;
    if (!chosen) {
      t.fail(`seed ${seed}: brute force reaches in ${fastest} s but no team was chosen`);
      continue;
    }
    // Equal up to rounding: two teams can be equally fast.
    const chosenExpected = expected.get(chosen.teamId) as number;
    if (!near(chosenExpected, fastest, 1e-4, 1e-3)) t.fail(`seed ${seed}: chose ${chosen.teamId} (${chosenExpected} s) but the fastest is ${fastest} s`);
    for (const ranked of choice.ranked) {
      const want = expected.get(ranked.teamId) as number;
      if (!near(ranked.etaSeconds, want, 1e-4, 1e-3)) t.fail(`seed ${seed} ${ranked.teamId}: ETA ${ranked.etaSeconds} s, brute force ${want} s`);
    }
    for (const excluded of choice.excluded) {
      if (excluded.reason !== 'unreachable' || expected.get(excluded.teamId) !== Infinity) {
        t.fail(`seed ${seed} ${excluded.teamId}: excluded as ${excluded.reason}, brute force ${expected.get(excluded.teamId)} s`);
      }
    }
    compared += 1;
    if (rankByStraightLine({ incident: network.incident, teams, now: NOW }).best?.teamId !== chosen.teamId) straightLineDiffers += 1;
  }
  t.ok(compared >= 180, `${compared} networks had a reachable team`);
  t.ok(sharesIncidentSegment >= 50, `a team shared the incident's segment on ${sharesIncidentSegment} networks`);
  t.ok(straightLineDiffers > 0, `straight line picked a different team on ${straightLineDiffers} networks, so the check has teeth`);
});

t.test('river with one bridge: the road-nearest team beats the one just across the water', async (t) => {
  const river: RoadSpec[] = [
    { id: 'north-bank', path: [[0, 100], [2000, 100]] },
    { id: 'south-bank', path: [[0, -100], [2000, -100]] },
    { id: 'bridge', path: [[2000, -100], [2000, 100]] },
  ];
  const teams = [teamAt('across-the-river', 0, -110), teamAt('up-the-bank', 800, 100)];
  const request = { incident: at(0, 110), teams, now: NOW };
  const choice = chooseTeam(graphOf(river), request);
  t.equal(rankByStraightLine(request).best?.teamId, 'across-the-river', 'straight line is fooled');
  t.equal(choice.best?.teamId, 'up-the-bank');
  t.ok(near(choice.best!.etaSeconds, 80 + 10 / (10 / 3.6)), `800 m at 10 m/s + 10 m off-road, got ${choice.best!.etaSeconds}`);
  t.ok(near(choice.ranked[1]!.etaSeconds, 420 + 20 / (10 / 3.6)), 'the other team drives 4.2 km round by the bridge');
});

t.test('one-way street: the team a few metres downstream is not the nearest', async (t) => {
  const block: RoadSpec[] = [
    { id: 'one-way-east', path: [[0, 0], [1000, 0]], oneway: 'yes' },
    { id: 'ring', path: [[1000, 0], [1000, 1000], [0, 1000], [0, 0]] },
  ];
  const teams = [teamAt('downstream', 200, 0), teamAt('round-the-corner', 0, 400)];
  const request = { incident: at(100, 0), teams, now: NOW };
  t.equal(rankByStraightLine(request).best?.teamId, 'downstream');
  const choice = chooseTeam(graphOf(block), request);
  t.equal(choice.best?.teamId, 'round-the-corner');
  t.ok(near(choice.best!.etaSeconds, 50));
  t.ok(near(choice.ranked[1]!.etaSeconds, 390), 'downstream goes round the ring: 800 + 3000 + 100 m');
});

const street: RoadSpec[] = [{ path: [[0, 0], [3000, 0]] }];

t.test('busy, off-duty, dispatched, silent, skipped, assigned and position-less teams are excluded, each with its reason', async (t) => {
  const teams = [
    teamAt('busy', 100, 0, { status: 'busy' }),
    teamAt('off', 110, 0, { status: 'off_duty' }),
    teamAt('on-a-job', 120, 0, { status: 'dispatched' }),
    teamAt('silent', 130, 0, { lastSeenAt: NOW - 10 * 60_000 }),
    teamAt('declined', 140, 0),
    teamAt('taken', 150, 0),
    { ...teamAt('lost', 160, 0), lon: Number.NaN },
    teamAt('free', 1500, 0),
  ];
  const choice = chooseTeam(graphOf(street), { incident: at(0, 0), teams, now: NOW, skipped: ['declined'], alreadyAssigned: ['taken'], policy: { staleAfterMs: 120_000 } });
  t.equal(choice.best?.teamId, 'free');
  t.same(choice.ranked.map((team) => team.teamId), ['free']);
  t.same(
    Object.fromEntries(choice.excluded.map((team) => [team.teamId, team.reason])),
    { busy: 'busy', off: 'off_duty', 'on-a-job': 'dispatched', silent: 'silent', declined: 'skipped', taken: 'already_assigned', lost: 'no_position' },
  );
  t.match(choice.excluded.find((team) => team.teamId === 'silent')?.detail, /last seen 600 s ago \(limit 120 s\)/);
});

t.test('a team exactly at the staleness limit still counts; one millisecond later it is silent', async (t) => {
  const graph = graphOf(street);
  const fresh = chooseTeam(graph, { incident: at(0, 0), teams: [teamAt('edge', 100, 0, { lastSeenAt: NOW - 120_000 })], now: NOW });
  t.equal(fresh.best?.teamId, 'edge');
  const stale = chooseTeam(graph, { incident: at(0, 0), teams: [teamAt('edge', 100, 0, { lastSeenAt: NOW - 120_001 })], now: NOW });
  t.equal(stale.best, undefined);
  t.equal(stale.excluded[0]?.reason, 'silent');
});

t.test('target at risk when the best ETA is over 180 s, or nobody can go', async (t) => {
  const graph = graphOf(street);
  const close = chooseTeam(graph, { incident: at(0, 0), teams: [teamAt('a', 1700, 0)], now: NOW });
  t.equal(close.targetAtRisk, false, '170 s is within target');
  const far = chooseTeam(graph, { incident: at(0, 0), teams: [teamAt('a', 1900, 0)], now: NOW });
  t.equal(far.targetAtRisk, true, '190 s is not');
  t.equal(far.best?.teamId, 'a', 'the team is still sent');
  const strict = chooseTeam(graph, { incident: at(0, 0), teams: [teamAt('a', 1700, 0)], now: NOW, policy: { targetSeconds: 120 } });
  t.equal(strict.targetAtRisk, true, 'target is configurable');
  const nobody = chooseTeam(graph, { incident: at(0, 0), teams: [teamAt('a', 100, 0, { status: 'busy' })], now: NOW });
  t.equal(nobody.targetAtRisk, true);
  t.equal(nobody.best, undefined);
});

t.test('ranked list is the order to try after a skip, ties broken by id', async (t) => {
  const teams = [teamAt('c', 300, 0), teamAt('b', 200, 0), teamAt('a', 200, 0)];
  const choice = chooseTeam(graphOf(street), { incident: at(0, 0), teams, now: NOW });
  t.same(choice.ranked.map((team) => team.teamId), ['a', 'b', 'c']);
  const after = chooseTeam(graphOf(street), { incident: at(0, 0), teams, now: NOW, skipped: ['a'] });
  t.equal(after.best?.teamId, 'b');
});

t.test('an unreachable team is excluded as unreachable, not ranked last', async (t) => {
  const islands: RoadSpec[] = [{ path: [[0, 0], [1000, 0]] }, { path: [[0, 500], [1000, 500]] }];
  const choice = chooseTeam(graphOf(islands), { incident: at(0, 0), teams: [teamAt('island', 500, 500), teamAt('mainland', 900, 0)], now: NOW });
  t.same(choice.ranked.map((team) => team.teamId), ['mainland']);
  t.same(choice.excluded.map((team) => [team.teamId, team.reason]), [['island', 'unreachable']]);
});
