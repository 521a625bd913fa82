import type { GroupSelector } from './schema.js';
import type { RuleEvent } from './types.js';

export interface Group {
  /** `device`, `place`, `zone`, `site` or the field name. */
  name: string;
  value: string;
}

/**
 * The group an event belongs to under a selector. An event without that
 * value (a detector with no registered place) is its own group, keyed by its
 * device: it still raises its own incidents, and it can never be taken as
 * confirmation of something elsewhere.
 */
export function groupOf(event: RuleEvent, selector: GroupSelector): Group {
  const value =
    selector.source === 'device'
      ? event.deviceId
      : selector.source === 'field'
        ? Object.hasOwn(event.fields, selector.field)
          ? event.fields[selector.field]
          : undefined
        : event[selector.source];
  if (value === undefined || value === '') return { name: 'device', value: event.deviceId };
  return { name: selector.source === 'field' ? selector.field : selector.source, value: String(value) };
}

/** Map key of a group inside one rule's state; the name keeps `place:X` apart from the fallback `device:X`. */
export function groupKey(group: Group): string {
  return `${group.name}:${group.value}`;
}

export function sameSelector(a: GroupSelector, b: GroupSelector): boolean {
  return a.source === b.source && (a.source !== 'field' || (b.source === 'field' && a.field === b.field));
}
