import t from 'tap';
import { assignTeams } from '../../src/dispatch/assign-teams.js';
import { at, graphOf, NOW, teamAt, type RoadSpec } from './fixtures.js';

const street: RoadSpec[] = [{ path: [[0, 0], [3000, 0]] }];
const incidents = [
  { id: 'fire-red', ...at(100, 0) },
  { id: 'lock-orange', ...at(200, 0) },
];

t.test('two incidents at once get two different teams, the more urgent one first', async (t) => {
  const teams = [teamAt('near', 150, 0), teamAt('far', 2000, 0)];
  const assignments = assignTeams(graphOf(street), { incidents, teams, now: NOW });
  t.same(
    assignments.map((a) => [a.incidentId, a.teamId, a.sharesTeamWith]),
    [
      ['fire-red', 'near', undefined],
      ['lock-orange', 'far', undefined],
    ],
  );
  t.equal(assignments[1]?.choice.excluded.find((team) => team.teamId === 'near')?.reason, 'already_assigned');
});

t.test('the same team is given twice only when no other is free, and says so', async (t) => {
  const teams = [teamAt('near', 150, 0), teamAt('far', 2000, 0, { status: 'busy' })];
  const assignments = assignTeams(graphOf(street), { incidents, teams, now: NOW });
  t.equal(assignments[0]?.teamId, 'near');
  t.equal(assignments[1]?.teamId, 'near');
  t.equal(assignments[1]?.sharesTeamWith, 'fire-red');
});

t.test('no team at all leaves the incident unassigned and at risk', async (t) => {
  const assignments = assignTeams(graphOf(street), { incidents, teams: [teamAt('off', 150, 0, { status: 'off_duty' })], now: NOW });
  t.same(assignments.map((a) => a.teamId), [undefined, undefined]);
  t.ok(assignments.every((a) => a.choice.targetAtRisk));
});

t.test('skips are per incident', async (t) => {
  const teams = [teamAt('near', 150, 0), teamAt('far', 2000, 0), teamAt('farther', 2500, 0)];
  const assignments = assignTeams(graphOf(street), { incidents, teams, now: NOW, skipped: new Map([['fire-red', ['near']]]) });
  t.same(assignments.map((a) => a.teamId), ['far', 'near']);
});
