import type { RuleEvent } from './types.js';

/**
 * `{placeholder}` templates for titles, summaries and dispatch reasons:
 * `Fire alarm at {place|deviceId}`. `a|b` falls back left to right; `{{` and
 * `}}` are literal braces. Names are checked when the rules load, so a typo
 * (`{plcae}`) is a validation error and not a `?` on the operators' wall.
 */

export const TEMPLATE_NAMES = [
  'kind', 'event', 'deviceId', 'site', 'model', 'place', 'zone', 'lon', 'lat',
  /** Events (count) or devices (distinctDevices) in the evidence. */
  'count',
  /** The rule's window, silence or state duration, e.g. `2m`. */
  'duration',
  /** The value the rule groups by, e.g. the place name or the tag id. */
  'group',
] as const;
type TemplateName = (typeof TEMPLATE_NAMES)[number];

const FIELD_PATH = /^fields\.[A-Za-z0-9_-]+$/;
const MISSING = '?';

type Part = string | { alternatives: readonly string[] };

export interface Template {
  source: string;
  parts: readonly Part[];
}

export interface TemplateContext {
  event: RuleEvent;
  count?: number;
  duration?: string;
  group?: string;
}

function isKnownName(name: string): boolean {
  return FIELD_PATH.test(name) || (TEMPLATE_NAMES as readonly string[]).includes(name);
}

export function parseTemplate(source: string): Template | { error: string } {
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    const char = source[i] as string;
    const next = source[i + 1];
    if ((char === '{' && next === '{') || (char === '}' && next === '}')) {
      text += char;
      i += 2;
      continue;
    }
    if (char === '}') return { error: `unmatched "}" at position ${i + 1} (write "}}" for a literal brace)` };
    if (char !== '{') {
      text += char;
      i += 1;
      continue;
    }
    const end = source.indexOf('}', i);
    if (end < 0) return { error: `unclosed "{" at position ${i + 1}` };
    const inner = source.slice(i + 1, end);
    const alternatives = inner.split('|').map((name) => name.trim());
    const unknown = alternatives.find((name) => !isKnownName(name));
    if (unknown !== undefined) {
      return { error: `unknown placeholder {${unknown}} (use ${TEMPLATE_NAMES.join(', ')} or fields.<name>)` };
    }
    if (text) parts.push(text);
    text = '';
    parts.push({ alternatives });
    i = end + 1;
  }
  if (text) parts.push(text);
  return { source, parts };
}

function lookup(name: string, context: TemplateContext): string | undefined {
  const { event } = context;
  if (name.startsWith('fields.')) {
    const field = name.slice('fields.'.length);
    const value = Object.hasOwn(event.fields, field) ? event.fields[field] : undefined;
    return value === undefined ? undefined : String(value);
  }
  const value = ((): string | number | undefined => {
    switch (name as TemplateName) {
      case 'count':
        return context.count;
      case 'duration':
        return context.duration;
      case 'group':
        return context.group;
      default:
        return event[name as Exclude<TemplateName, 'count' | 'duration' | 'group'>];
    }
  })();
  return value === undefined || value === '' ? undefined : String(value);
}

export function renderTemplate(template: Template, context: TemplateContext): string {
  return template.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      for (const name of part.alternatives) {
        const value = lookup(name, context);
        if (value !== undefined) return value;
      }
      return MISSING;
    })
    .join('');
}
