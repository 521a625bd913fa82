import type { ZodIssue } from 'zod';

export const SITE_FILES = ['roads.geojson', 'zones.geojson', 'places.geojson'] as const;
export type SiteFile = (typeof SITE_FILES)[number];

/**
 * A problem in the operator's site files, precise enough to fix without a
 * debugger: which file, which feature (index as in `.features[12]`, and id
 * when it has one), which property, what was expected and what was found.
 */
export interface SiteIssue {
  file: SiteFile;
  /** Absent for problems with the file as a whole. */
  feature?: { index: number; id?: string };
  /** Relative to the feature (or to the file when there is no feature). */
  path: readonly (string | number)[];
  message: string;
}

export function describeSiteIssue(issue: SiteIssue): string {
  const feature = issue.feature
    ? ` feature #${issue.feature.index}${issue.feature.id === undefined ? '' : ` (id ${JSON.stringify(issue.feature.id)})`}`
    : '';
  const where = describePath(issue.path);
  return `${issue.file}${feature}: ${where === '' ? '' : `${where}: `}${issue.message}`;
}

function describePath(path: readonly (string | number)[]): string {
  if (path[0] === 'properties' && path.length > 1) return `property ${formatPath(path.slice(1))}`;
  return formatPath(path);
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

/** A short, single-line rendering of what the file holds at the faulty place. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

/**
 * Our schemas phrase every message as "expected …"; this adds what was
 * actually written, or says it is missing, so each line stands on its own.
 */
export function fromZodIssues(
  issues: readonly ZodIssue[],
  raw: unknown,
  file: SiteFile,
  feature: SiteIssue['feature'],
): SiteIssue[] {
  return issues.map((issue) => {
    const value = valueAt(raw, issue.path);
    let message = issue.message;
    if (message.startsWith('expected')) {
      message += value === undefined ? ', but it is missing' : `, got ${showValue(value)}`;
    }
    return { file, ...(feature ? { feature } : {}), path: issue.path, message };
  });
}
