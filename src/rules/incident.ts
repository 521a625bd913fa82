import { formatDuration } from './duration.js';
import { groupOf, type Group } from './groups.js';
import type { Firing } from './correlators.js';
import type { Rule, RuleActionsSpec } from './schema.js';
import { renderTemplate, type TemplateContext } from './template.js';
import type { FieldValue, IncidentActions, RuleAction, RuleEvent } from './types.js';

/** Turns a rule that fired into the incident action the incident store opens or updates. */
export function incidentAction(rule: Rule, firing: Firing): RuleAction {
  const { event } = firing;
  const group = groupOf(event, rule.key);
  const context: TemplateContext = {
    event,
    count: firing.count,
    duration: formatDuration(firing.durationMs),
    group: group.value,
  };
  return {
    type: 'incident',
    ruleId: rule.id,
    key: `${rule.id}:${group.name}:${group.value}`,
    severity: rule.severity,
    title: renderTemplate(rule.title, context),
    summary: rule.summary ? renderTemplate(rule.summary, context) : defaultSummary(rule, firing, group),
    event,
    evidence: firing.evidence,
    actions: renderActions(rule.actions, context),
  };
}

function renderActions(spec: RuleActionsSpec, context: TemplateContext): IncidentActions {
  const actions: IncidentActions = {};
  if (spec.dispatch !== undefined) {
    actions.dispatch = typeof spec.dispatch === 'boolean' ? spec.dispatch : { reason: renderTemplate(spec.dispatch.reason, context) };
  }
  if (spec.notifyBrigade !== undefined) actions.notifyBrigade = spec.notifyBrigade;
  if (spec.deviceCommand) {
    const { deviceId, command, args } = spec.deviceCommand;
    const rendered: Record<string, FieldValue> = {};
    for (const [name, value] of Object.entries(args)) {
      rendered[name] = typeof value === 'object' ? renderTemplate(value, context) : value;
    }
    actions.deviceCommand = { deviceId: deviceId === 'trigger' ? context.event.deviceId : deviceId, command, args: rendered };
  }
  return actions;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function located(event: RuleEvent): string {
  return event.place ? ` at ${event.place}` : '';
}

/** A factual one-liner for rules that do not write their own summary. */
function defaultSummary(rule: Rule, firing: Firing, group: Group): string {
  const { event, evidence } = firing;
  const within = formatDuration(firing.durationMs);
  const correlation = rule.correlate;
  switch (correlation?.type) {
    case undefined:
      return `${event.kind} ${event.deviceId} reported ${event.event}${located(event)}.`;
    case 'count':
    case 'distinctDevices': {
      if (firing.alone) {
        const because = (correlation.orWhere ?? []).map((c) => `${c.field}=${String(event.fields[c.field])}`).join(', ');
        return `${event.kind} ${event.deviceId} reported ${event.event}${located(event)} (${because}), enough on its own.`;
      }
      const what = correlation.type === 'count' ? `${firing.count} events` : `${firing.count} different devices`;
      return `${what} within ${within} in ${group.name} ${group.value}: ${evidence.deviceIds.join(', ')}.`;
    }
    case 'absence':
      return `Nothing heard from ${event.deviceId}${located(event)} for ${within}; last ${event.event} at ${iso(firing.evidence.since ?? event.time)}.`;
    case 'sustained':
      return `${event.kind} ${event.deviceId}${located(event)} ${event.event} since ${iso(firing.evidence.since ?? event.time)}, ${within} without ${(correlation.clearedBy.events ?? []).join(' or ')}.`;
  }
}
