import { z } from 'zod';
import { parseDuration } from './duration.js';
import { fromZodIssues, showValue, type RuleIssue } from './issues.js';
import type { EventMatch, FieldCondition, FieldTest } from './predicates.js';
import { parseTemplate, type Template } from './template.js';
import { DEVICE_KINDS, SEVERITIES, type FieldValue, type Severity } from './types.js';

/**
 * The YAML rule language (see docs/rules.md), validated with zod and compiled
 * into the shapes the engine runs. Each rule is validated on its own so one
 * file reports every broken rule at once, each message naming the rule.
 */

/** What a correlation groups events by, and what an incident key is made of. */
export type GroupSelector = { source: 'device' | 'place' | 'zone' | 'site' } | { source: 'field'; field: string };

export type Correlation =
  | { type: 'count' | 'distinctDevices'; atLeast: number; withinMs: number; by: GroupSelector; orWhere?: readonly FieldCondition[] }
  | { type: 'absence'; silence: { ms: number } | { heartbeats: number }; by: GroupSelector }
  | { type: 'sustained'; forMs: number; by: GroupSelector; clearedBy: EventMatch };

export interface RuleActionsSpec {
  dispatch?: boolean | { reason: Template };
  notifyBrigade?: boolean;
  /** String args are templates. */
  deviceCommand?: { deviceId: string; command: string; args: Readonly<Record<string, number | boolean | Template>> };
}

export interface Rule {
  id: string;
  description: string;
  enabled: boolean;
  match: EventMatch;
  correlate?: Correlation;
  /** The incident key's group: `key`, else `correlate.by`, else the device. */
  key: GroupSelector;
  severity: Severity;
  title: Template;
  summary?: Template;
  actions: RuleActionsSpec;
}

export type RulesParseResult = { ok: true; rules: Rule[] } | { ok: false; issues: RuleIssue[] };

// ---- building blocks -------------------------------------------------------

type Schema<T> = z.ZodType<T, z.ZodTypeDef, unknown>;

function isScalar(value: unknown): value is FieldValue {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * A union chosen by the shape of the input (scalar, list or map), so an error
 * comes from the one alternative the writer clearly meant instead of zod's
 * "Invalid input" for the union as a whole.
 */
function byShape<T>(expected: string, shapes: { scalar?: Schema<T>; list?: Schema<T>; map?: Schema<T> }): Schema<T> {
  return z.unknown().transform((value, ctx) => {
    if (missing(value, ctx)) return z.NEVER;
    const schema = Array.isArray(value)
      ? shapes.list
      : value !== null && typeof value === 'object'
        ? shapes.map
        : isScalar(value)
          ? shapes.scalar
          : undefined;
    if (!schema) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}` });
      return z.NEVER;
    }
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue(issue);
    return z.NEVER;
  });
}

/** z.unknown() lets undefined through; a required value that is missing says so. */
function missing(value: unknown, ctx: z.RefinementCtx): boolean {
  if (value !== undefined) return false;
  ctx.addIssue({ code: 'custom', message: 'required' });
  return true;
}

function oneOrMany<T>(item: Schema<T>, expected: string): Schema<T[]> {
  return byShape(expected, {
    scalar: item.transform((value) => [value]),
    list: z.array(item).min(1, 'expected at least one entry'),
  });
}

const scalar: Schema<FieldValue> = z.union([z.string(), z.number(), z.boolean()], {
  errorMap: () => ({ message: 'expected text, a number, or true/false' }),
});

const name = z.string().min(1, 'expected a non-empty name');

const FIELD_NAME = /^[A-Za-z0-9_-]+$/;
const fieldName = z.string().refine(
  (key) => FIELD_NAME.test(key),
  (key) => ({ message: `expected a bare field name like "sensor" (no "fields." prefix), got ${JSON.stringify(key)}` }),
);

function duration(example: string): Schema<number> {
  return z.unknown().transform((value, ctx) => {
    if (missing(value, ctx)) return z.NEVER;
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like "${example}"` });
      return z.NEVER;
    }
    return ms;
  });
}

const template: Schema<Template> = z.unknown().transform((value, ctx) => {
  if (missing(value, ctx)) return z.NEVER;
  if (typeof value !== 'string' || value.trim() === '') {
    ctx.addIssue({ code: 'custom', message: 'expected text, may use {placeholders}' });
    return z.NEVER;
  }
  const parsed = parseTemplate(value);
  if ('error' in parsed) {
    ctx.addIssue({ code: 'custom', message: `${parsed.error}, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return parsed;
});

const GROUP_HINT = 'expected device, place, zone, site or fields.<name>';
const groupSelector: Schema<GroupSelector> = z.unknown().transform((value, ctx): GroupSelector => {
  if (missing(value, ctx)) return z.NEVER;
  if (value === 'device' || value === 'place' || value === 'zone' || value === 'site') return { source: value };
  if (typeof value === 'string' && value.startsWith('fields.') && FIELD_NAME.test(value.slice(7))) {
    return { source: 'field', field: value.slice(7) };
  }
  // A bare word is refused rather than read as a field name: a misspelt `plcae`
  // would be a field no event has, so every event would fall back to its own
  // device and the rule would silently never correlate across devices.
  ctx.addIssue({ code: 'custom', message: GROUP_HINT });
  return z.NEVER;
});

// ---- match -----------------------------------------------------------------

const OPERATORS = ['equals', 'in', 'not', 'gt', 'gte', 'lt', 'lte', 'exists'] as const;

const operatorMap: Schema<FieldTest[]> = z
  .record(z.unknown())
  .refine((ops) => Object.keys(ops).length > 0, { message: `expected at least one of ${OPERATORS.join(', ')}` })
  .pipe(z.object({
    equals: scalar.optional(),
    in: z.array(scalar).min(1, 'expected at least one value').optional(),
    not: oneOrMany(scalar, 'a value or a list of values').optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    exists: z.boolean().optional(),
  }).strict())
  .transform((ops) => {
    const tests: FieldTest[] = [];
    if (ops.equals !== undefined) tests.push({ op: 'equals', value: ops.equals });
    if (ops.in !== undefined) tests.push({ op: 'in', values: ops.in });
    if (ops.not !== undefined) tests.push({ op: 'not', values: ops.not });
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
      const bound = ops[op];
      if (bound !== undefined) tests.push({ op, value: bound });
    }
    if (ops.exists !== undefined) tests.push({ op: 'exists', value: ops.exists });
    return tests;
  });

const predicate = byShape<FieldTest[]>('a value, a list of values, or an operator map like { lt: 20 }', {
  scalar: scalar.transform((value): FieldTest[] => [{ op: 'equals', value }]),
  list: z.array(scalar).min(1, 'expected at least one value').transform((values): FieldTest[] => [{ op: 'in', values }]),
  map: operatorMap,
});

const where: Schema<FieldCondition[]> = z
  .record(fieldName, predicate)
  .transform((conditions) => Object.entries(conditions).map(([field, tests]) => ({ field, tests })));

const kinds = oneOrMany(z.enum(DEVICE_KINDS), 'a device kind or a list of them');
const eventNames = oneOrMany(name, 'an event type or a list of them');

const match: Schema<EventMatch> = z
  .object({ kind: kinds, event: eventNames.optional(), where: where.optional() })
  .strict()
  .transform((m): EventMatch => ({ kinds: m.kind, ...(m.event && { events: m.event }), where: m.where ?? [] }));

// ---- correlate -------------------------------------------------------------

const CORRELATIONS = ['count', 'distinctDevices', 'absentFor', 'sustainedFor'] as const;
/** Which options each correlation accepts besides its own key. */
const CORRELATION_OPTIONS: Record<(typeof CORRELATIONS)[number], readonly string[]> = {
  count: ['within', 'by', 'orWhere'],
  distinctDevices: ['within', 'by', 'orWhere'],
  absentFor: ['by'],
  sustainedFor: ['by', 'clearedBy'],
};

const HEARTBEATS = /^(\d+)\s*heartbeats?$/;
const silence: Schema<{ ms: number } | { heartbeats: number }> = z.unknown().transform((value, ctx) => {
  if (missing(value, ctx)) return z.NEVER;
  const periods = typeof value === 'string' ? HEARTBEATS.exec(value.trim()) : null;
  if (periods && Number(periods[1]) > 0) return { heartbeats: Number(periods[1]) };
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms !== undefined && ms > 0) return { ms };
  ctx.addIssue({ code: 'custom', message: 'expected a duration like "10m" or heartbeat periods like "2 heartbeats"' });
  return z.NEVER;
});

// The cap bounds what one group may hold in memory (a window keeps at most this many events).
const threshold = z.number().int('expected a whole number').min(1, 'expected 1 or more').max(1000, 'expected at most 1000');

const correlateInput = z
  .object({
    count: threshold.optional(),
    distinctDevices: threshold.optional(),
    absentFor: silence.optional(),
    sustainedFor: duration('5m').optional(),
    within: duration('2m').optional(),
    by: groupSelector.optional(),
    orWhere: where.optional(),
    clearedBy: eventNames.optional(),
  })
  .strict();
type CorrelateInput = z.output<typeof correlateInput>;

function checkCorrelate(c: CorrelateInput, ctx: z.RefinementCtx): void {
  const chosen = CORRELATIONS.filter((type) => c[type] !== undefined);
  const [type] = chosen;
  if (chosen.length !== 1 || type === undefined) {
    const got = chosen.length === 0 ? 'none' : chosen.join(' and ');
    ctx.addIssue({ code: 'custom', message: `expected exactly one of ${CORRELATIONS.join(', ')}, got ${got}` });
    return;
  }
  const allowed = CORRELATION_OPTIONS[type];
  for (const option of ['within', 'by', 'orWhere', 'clearedBy'] as const) {
    if (c[option] !== undefined && !allowed.includes(option)) {
      ctx.addIssue({ code: 'custom', path: [option], message: `not used with ${type} (it takes ${allowed.join(', ')})` });
    }
  }
  if ((type === 'count' || type === 'distinctDevices') && c.within === undefined) {
    ctx.addIssue({ code: 'custom', path: ['within'], message: `required with ${type}` });
  }
  if (type === 'sustainedFor' && c.clearedBy === undefined) {
    ctx.addIssue({ code: 'custom', path: ['clearedBy'], message: 'required with sustainedFor: the event(s) that end the state, e.g. online' });
  }
}

function compileCorrelate(c: CorrelateInput, matched: EventMatch): Correlation {
  const by = c.by ?? { source: 'device' };
  if (c.absentFor !== undefined) return { type: 'absence', silence: c.absentFor, by };
  if (c.sustainedFor !== undefined) {
    return { type: 'sustained', forMs: c.sustainedFor, by, clearedBy: { kinds: matched.kinds, events: c.clearedBy ?? [], where: [] } };
  }
  const type = c.count !== undefined ? 'count' : 'distinctDevices';
  return {
    type,
    atLeast: c.count ?? c.distinctDevices ?? 1,
    withinMs: c.within ?? 0,
    by,
    ...(c.orWhere && { orWhere: c.orWhere }),
  };
}

// ---- actions and the rule --------------------------------------------------

const argValue = byShape<number | boolean | Template>('text, a number, or true/false', {
  scalar: z.union([z.number(), z.boolean(), template]),
});

const actions = z
  .object({
    dispatch: byShape<RuleActionsSpec['dispatch']>('true, false or { reason: "…" }', {
      scalar: z.boolean({ invalid_type_error: 'expected true, false or { reason: "…" }' }),
      map: z.object({ reason: template }).strict(),
    }).optional(),
    notifyBrigade: z.boolean().optional(),
    deviceCommand: z
      .object({ deviceId: name, command: name, args: z.record(fieldName, argValue).optional() })
      .strict()
      .optional(),
  })
  .strict()
  .transform((a): RuleActionsSpec => ({
    ...(a.dispatch !== undefined && { dispatch: a.dispatch }),
    ...(a.notifyBrigade !== undefined && { notifyBrigade: a.notifyBrigade }),
    ...(a.deviceCommand && { deviceCommand: { ...a.deviceCommand, args: a.deviceCommand.args ?? {} } }),
  }));

const RULE_ID = /^[a-z0-9][a-z0-9-]*$/;

const ruleSchema = z
  .object({
    // The id is part of incident keys (`<id>:<group>:<value>`), hence no colons or spaces.
    id: z.string().regex(RULE_ID, 'expected lower-case letters, digits and dashes, like "fire-confirmed"'),
    description: z.string().min(1, 'expected a sentence saying what the rule is for'),
    enabled: z.boolean().optional(),
    match,
    correlate: correlateInput.superRefine(checkCorrelate).optional(),
    key: groupSelector.optional(),
    severity: z.enum(SEVERITIES),
    title: template,
    summary: template.optional(),
    actions: actions.optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const clearedBy = rule.correlate?.clearedBy ?? [];
    for (const [i, event] of clearedBy.entries()) {
      if (rule.match.events?.includes(event) ?? true) {
        ctx.addIssue({
          code: 'custom',
          path: ['correlate', 'clearedBy', ...(clearedBy.length > 1 ? [i] : [])],
          message: `"${event}" also matches the rule, so the state could never last`,
        });
      }
    }
  })
  .transform(
    (rule): Rule => ({
      id: rule.id,
      description: rule.description,
      enabled: rule.enabled ?? true,
      match: rule.match,
      ...(rule.correlate && { correlate: compileCorrelate(rule.correlate, rule.match) }),
      key: rule.key ?? rule.correlate?.by ?? { source: 'device' },
      severity: rule.severity,
      title: rule.title,
      ...(rule.summary && { summary: rule.summary }),
      actions: rule.actions ?? {},
    }),
  );

const fileSchema = z
  .object({
    version: z.literal(1, { errorMap: () => ({ message: 'expected 1' }) }).optional(),
    rules: z.array(z.unknown()),
  })
  .strict();

/** Every key the language knows, for "did you mean" on a misspelt one. */
const KNOWN_KEYS = [
  'version', 'rules', 'id', 'description', 'enabled', 'match', 'kind', 'event', 'where', 'correlate', 'key',
  'severity', 'title', 'summary', 'actions', 'dispatch', 'reason', 'notifyBrigade', 'deviceCommand', 'deviceId',
  'command', 'args', ...OPERATORS, ...CORRELATIONS, 'within', 'by', 'orWhere', 'clearedBy',
];

/** Validates a parsed rules document (`{ version?: 1, rules: [...] }`) and compiles it. */
export function parseRules(document: unknown): RulesParseResult {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return { ok: false, issues: [{ path: [], message: `expected a map with a "rules:" list, got ${showValue(document)}` }] };
  }
  const file = fileSchema.safeParse(document);
  if (!file.success) return { ok: false, issues: fromZodIssues(file.error.issues, document, KNOWN_KEYS) };

  const rules: Rule[] = [];
  const issues: RuleIssue[] = [];
  const firstIndexOf = new Map<string, number>();
  for (const [index, raw] of file.data.rules.entries()) {
    const rawId = raw !== null && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
    const rule = { index, ...(typeof rawId === 'string' && rawId !== '' && { id: rawId }) };
    // Duplicates are found by the id as written, so they are reported even
    // when one of the two rules is also broken in some other way.
    const earlier = rule.id === undefined ? undefined : firstIndexOf.get(rule.id);
    if (rule.id !== undefined && earlier === undefined) firstIndexOf.set(rule.id, index);
    if (earlier !== undefined) {
      issues.push({ rule, path: ['id'], message: `duplicate of rule #${earlier + 1}; ids must be unique` });
    }
    const parsed = ruleSchema.safeParse(raw);
    if (!parsed.success) {
      issues.push(...fromZodIssues(parsed.error.issues, raw, KNOWN_KEYS, rule));
      continue;
    }
    rules.push(parsed.data);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, rules };
}
