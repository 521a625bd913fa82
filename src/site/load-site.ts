import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSiteTexts } from './parse-site.js';
import type { Site } from './site.js';
import { describeSiteIssue, type SiteIssue } from './site-issues.js';

export class SiteError extends Error {
  constructor(
    readonly dir: string,
    readonly issues: readonly SiteIssue[],
  ) {
    super(`site files in ${dir} are not usable:\n${issues.map((issue) => `  ${describeSiteIssue(issue)}`).join('\n')}`);
    this.name = 'SiteError';
  }
}

export interface SiteTexts {
  roads: string | undefined;
  zones: string | undefined;
  places: string | undefined;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The three files as text; a file that does not exist is `undefined`. */
export async function readSiteTexts(dir: string): Promise<SiteTexts> {
  const [roads, zones, places] = await Promise.all([
    readOptional(join(dir, 'roads.geojson')),
    readOptional(join(dir, 'zones.geojson')),
    readOptional(join(dir, 'places.geojson')),
  ]);
  return { roads, zones, places };
}

/** Reads and validates a site directory; throws a `SiteError` listing every problem. */
export async function loadSite(dir: string): Promise<Site> {
  const result = parseSiteTexts(await readSiteTexts(dir));
  if (!result.ok) throw new SiteError(dir, result.issues);
  return result.site;
}
