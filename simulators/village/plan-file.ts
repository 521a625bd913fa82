import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRoadGraph, type RoadGraph } from '../../src/dispatch/road-graph.js';
import { loadSite } from '../../src/site/load-site.js';
import { checkPlan, type VillagePlan } from './plan.js';

export const PLAN_FILE_NAME = 'plan.json';

export function readPlan(dir: string): VillagePlan {
  const path = join(dir, PLAN_FILE_NAME);
  return checkPlan(JSON.parse(readFileSync(path, 'utf8')) as unknown, path);
}

/** The site's road graph, validated exactly as the gateway loads it. */
export async function readRoadGraph(dir: string): Promise<RoadGraph> {
  const site = await loadSite(dir);
  return buildRoadGraph(site.roads);
}
