import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { chooseTeam, rankByStraightLine } from '../src/dispatch/choose-team.js';
import { roadCoverage } from '../src/dispatch/coverage.js';
import { buildRoadGraph } from '../src/dispatch/road-graph.js';
import type { PatrolTeam } from '../src/dispatch/team-eligibility.js';
import { parseSite } from '../src/site/parse-site.js';
import { randomNetwork } from '../test/dispatch/random-network.js';
import { percentile, printTable } from './report.js';

/**
 * Cost of one dispatch decision (snap incident and teams, one Dijkstra over
 * the whole network, routes, ranking) and of one live 3-minute coverage
 * recompute, on a generated network of about 50,000 road segments with 50
 * teams. Target: one dispatch under 10 ms.
 */
export interface DispatchComputeOptions {
  /** Grid side of the generated network; 155 gives about 50,000 segments. */
  side?: number;
  teams?: number;
  dispatchRuns?: number;
  coverageRuns?: number;
  seed?: number;
}

export interface DispatchComputeResult {
  segments: number;
  nodes: number;
  teams: number;
  validateMs: number;
  buildGraphMs: number;
  dispatchRuns: number;
  dispatchP50Ms: number;
  dispatchP99Ms: number;
  dispatchMaxMs: number;
  coverageRuns: number;
  coverageP50Ms: number;
  coverageP99Ms: number;
  coveredShare: number;
  uncoveredPieces: number;
  /** How often the straight-line nearest team is not the road-nearest one. */
  straightLineWrongShare: number;
  /** When it is wrong, how many seconds later its team would arrive, on average. */
  straightLineExtraSecondsMean: number;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export function benchDispatchCompute(options: DispatchComputeOptions = {}): DispatchComputeResult {
  const side = options.side ?? 155;
  const network = randomNetwork({ seed: options.seed ?? 42, columns: side, rows: side, teamCount: options.teams ?? 50, bendShare: 0.1 });

  let started = performance.now();
  const parsed = parseSite({ roads: network.roads });
  const validateMs = performance.now() - started;
  if (!parsed.ok) throw new Error(`generated network does not validate: ${parsed.issues.length} issues`);
  started = performance.now();
  const graph = buildRoadGraph(parsed.site.roads);
  const buildGraphMs = performance.now() - started;

  const now = Date.now();
  const teams: PatrolTeam[] = network.teams.map((team) => ({ ...team, status: 'available', lastSeenAt: now - 5_000 }));

  const dispatchRuns = options.dispatchRuns ?? 500;
  const warmup = 50;
  const dispatchMs: number[] = [];
  let wrong = 0;
  let extraSeconds = 0;
  for (let run = 0; run < warmup + dispatchRuns; run++) {
    const incident = network.randomPosition();
    started = performance.now();
    const choice = chooseTeam(graph, { incident, teams, now });
    const elapsed = performance.now() - started;
    if (run < warmup) continue;
    dispatchMs.push(elapsed);
    const naive = rankByStraightLine({ incident, teams, now }).best;
    if (choice.best && naive && naive.teamId !== choice.best.teamId) {
      wrong += 1;
      const naiveEta = choice.ranked.find((team) => team.teamId === naive.teamId)?.etaSeconds ?? Infinity;
      extraSeconds += naiveEta - choice.best.etaSeconds;
    }
  }

  const coverageRuns = options.coverageRuns ?? 50;
  const coverageMs: number[] = [];
  let lastCoverage = roadCoverage(graph, teams);
  for (let run = 0; run < coverageRuns; run++) {
    started = performance.now();
    lastCoverage = roadCoverage(graph, teams);
    coverageMs.push(performance.now() - started);
  }

  dispatchMs.sort((a, b) => a - b);
  coverageMs.sort((a, b) => a - b);
  return {
    segments: graph.segmentCount,
    nodes: graph.nodeCount,
    teams: teams.length,
    validateMs: round(validateMs, 0),
    buildGraphMs: round(buildGraphMs, 0),
    dispatchRuns,
    dispatchP50Ms: round(percentile(dispatchMs, 0.5)),
    dispatchP99Ms: round(percentile(dispatchMs, 0.99)),
    dispatchMaxMs: round(dispatchMs[dispatchMs.length - 1] ?? NaN),
    coverageRuns,
    coverageP50Ms: round(percentile(coverageMs, 0.5)),
    coverageP99Ms: round(percentile(coverageMs, 0.99)),
    coveredShare: round(lastCoverage.coveredShare, 3),
    uncoveredPieces: lastCoverage.uncovered.features.length,
    straightLineWrongShare: round(wrong / dispatchRuns, 3),
    straightLineExtraSecondsMean: wrong === 0 ? 0 : round(extraSeconds / wrong, 1),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable('dispatch compute (50 teams, one incident; coverage over all roads)', { ...benchDispatchCompute() });
}
