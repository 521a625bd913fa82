import type { ZodIssue } from 'zod';
import type { DecodeError } from './model.js';

/**
 * Turns zod issues into errors an installer can act on: the dotted path, what
 * was expected and what arrived (`expected number 0–100, got "low"`). Values
 * under a personal-data key are never shown, only said to be withheld.
 */

export interface IssueOptions {
  /** Keys whose values are personal data (ID-card numbers): never echoed. */
  personalKeys?: ReadonlySet<string>;
  /** Values that are personal data wherever they turn up (an ID number sent as a room). */
  isPersonalValue?: (value: unknown) => boolean;
}

export function dottedPath(path: readonly (string | number)[]): string {
  return path.join('.');
}

export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let value = root;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** 500 bad reads in a batch are one mistake repeated; the reply stays readable. */
const MAX_ERRORS = 20;

export function formatIssues(issues: readonly ZodIssue[], input: unknown, options: IssueOptions = {}): DecodeError[] {
  const errors: DecodeError[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    // Unknown fields are stripped with a warning, never an error (json.ts).
    if (issue.code === 'unrecognized_keys') continue;
    const error = { path: dottedPath(issue.path), message: formatIssue(issue, input, options) };
    // One bad value can fail several checks (int and max): say it once.
    const key = `${error.path}\u0000${error.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(error);
  }
  return capErrors(errors);
}

export function capErrors(errors: DecodeError[]): DecodeError[] {
  if (errors.length <= MAX_ERRORS) return errors;
  return [...errors.slice(0, MAX_ERRORS), { path: '', message: `and ${errors.length - MAX_ERRORS} more errors like these` }];
}

function formatIssue(issue: ZodIssue, input: unknown, options: IssueOptions): string {
  const expectation = expectationOf(issue);
  if (!expectation.startsWith('expected ')) return expectation;
  const value = valueAt(input, issue.path);
  if (value === undefined) return `required, ${expectation}`;
  if (issue.path.some((segment) => options.personalKeys?.has(String(segment))) || options.isPersonalValue?.(value)) {
    return `${expectation} (value withheld: personal data)`;
  }
  return `${expectation}, got ${describeValue(value)}`;
}

/** Our field builders already say "expected …"; zod's own defaults are rephrased in the same shape. */
function expectationOf(issue: ZodIssue): string {
  if (issue.message.startsWith('expected ')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected.includes(' | ')
        ? `expected one of ${issue.expected.replace(/'/g, '').split(' | ').join(', ')}`
        : `expected ${article(issue.expected)}`;
    case 'invalid_enum_value':
    case 'invalid_union_discriminator':
      return `expected one of ${issue.options.map(String).join(', ')}`;
    case 'invalid_literal':
      return `expected ${JSON.stringify(issue.expected)}`;
    case 'too_small':
      return `expected ${boundOf(issue.type, 'at least', issue.minimum, issue.inclusive)}`;
    case 'too_big':
      return `expected ${boundOf(issue.type, 'at most', issue.maximum, issue.inclusive)}`;
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return type === 'object' || type === 'array' ? `an ${type}` : type;
}

function boundOf(type: string, word: string, bound: number | bigint, inclusive: boolean): string {
  if (type === 'array') return `${word} ${bound} items`;
  if (type === 'string') return `${word} ${bound} characters`;
  const sign = word === 'at least' ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<';
  return `number ${sign} ${bound}`;
}
