import type { DeviceKind, FieldValue, RuleEvent } from './types.js';

/**
 * Compiled `match` clauses. A field that is absent fails every test except
 * `exists: false` and `not`: an event the gateway did not enrich (no
 * `card_blacklisted`) must not look like one that was checked and came out
 * false.
 */

export type FieldTest =
  | { op: 'equals'; value: FieldValue }
  | { op: 'in'; values: readonly FieldValue[] }
  | { op: 'not'; values: readonly FieldValue[] }
  | { op: 'gt' | 'gte' | 'lt' | 'lte'; value: number }
  | { op: 'exists'; value: boolean };

export interface FieldCondition {
  field: string;
  /** All must hold (`{ gte: 10, lt: 20 }` is a range). */
  tests: readonly FieldTest[];
}

export interface EventMatch {
  kinds: readonly DeviceKind[];
  /** Undefined: any event type of those kinds. */
  events?: readonly string[];
  where: readonly FieldCondition[];
}

function passes(test: FieldTest, value: FieldValue | undefined): boolean {
  switch (test.op) {
    case 'exists':
      return (value !== undefined) === test.value;
    case 'not':
      return value === undefined || !test.values.includes(value);
    case 'equals':
      return value === test.value;
    case 'in':
      return value !== undefined && test.values.includes(value);
    case 'gt':
      return typeof value === 'number' && value > test.value;
    case 'gte':
      return typeof value === 'number' && value >= test.value;
    case 'lt':
      return typeof value === 'number' && value < test.value;
    case 'lte':
      return typeof value === 'number' && value <= test.value;
  }
}

export function fieldsSatisfy(conditions: readonly FieldCondition[], fields: RuleEvent['fields']): boolean {
  return conditions.every((condition) => {
    const value = Object.hasOwn(fields, condition.field) ? fields[condition.field] : undefined;
    return condition.tests.every((test) => passes(test, value));
  });
}

export function eventMatches(match: EventMatch, event: RuleEvent): boolean {
  return (
    match.kinds.includes(event.kind) &&
    (match.events === undefined || match.events.includes(event.event)) &&
    fieldsSatisfy(match.where, event.fields)
  );
}
