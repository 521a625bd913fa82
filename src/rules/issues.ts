import type { ZodIssue } from 'zod';

/**
 * Validation problems as the person editing the rules file needs them: which
 * rule (id and position), which field, what was expected and what was found.
 * `rule "fire-confirmed" (#2): correlate.within: expected a duration like "2m", got "two minutes" (line 14)`
 */
export interface RuleIssue {
  /** Absent for problems with the file as a whole. `index` is 0-based; messages show it 1-based. */
  rule?: { index: number; id?: string };
  /** Relative to the rule (or to the file when there is no rule). */
  path: readonly (string | number)[];
  message: string;
  /** Filled in by the file loader when it can point at the YAML. */
  line?: number;
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

export function describeIssue(issue: RuleIssue): string {
  const where = issue.rule
    ? `rule ${issue.rule.id === undefined ? '' : `"${issue.rule.id}" `}(#${issue.rule.index + 1}): `
    : '';
  const path = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
  const line = issue.line === undefined ? '' : ` (line ${issue.line})`;
  return `${where}${path}${issue.message}${line}`;
}

/** A short, single-line rendering of what was found. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
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

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'a map of key: value',
  array: 'a list',
};

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

function suggestion(key: string, known: readonly string[]): string {
  const close = known.find((candidate) => distance(key.toLowerCase(), candidate.toLowerCase()) <= 2);
  return close === undefined ? '' : ` (did you mean "${close}"?)`;
}

/**
 * Turns zod's issues for one value into RuleIssues. `raw` is the value that
 * was validated, so messages can quote what was actually written; `knownKeys`
 * feeds "did you mean" for misspelt keys.
 */
export function fromZodIssues(
  issues: readonly ZodIssue[],
  raw: unknown,
  knownKeys: readonly string[],
  rule?: RuleIssue['rule'],
): RuleIssue[] {
  const found: RuleIssue[] = [];
  for (const issue of issues) {
    const base = rule ? { rule } : {};
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        found.push({ ...base, path: [...issue.path, key], message: `unknown key${suggestion(key, knownKeys)}` });
      }
      continue;
    }
    const value = valueAt(raw, issue.path);
    let message: string;
    if (issue.code === 'invalid_type' && issue.received === 'undefined') {
      message = 'required';
    } else {
      if (issue.code === 'invalid_type') message = `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
      else if (issue.code === 'invalid_enum_value') message = `expected one of ${issue.options.join(', ')}`;
      else message = issue.message;
      const shown = showValue(value);
      if (value !== undefined && !/\bgot\b/.test(message) && !message.includes(shown)) message += `, got ${shown}`;
    }
    found.push({ ...base, path: issue.path, message });
  }
  return found;
}
