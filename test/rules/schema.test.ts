import t from 'tap';
import { parseRules } from '../../src/rules/schema.js';
import { parseRulesYaml } from '../../src/rules/rules-file.js';

const good = {
  id: 'fire-confirmed',
  description: 'a second detector confirms',
  match: { kind: 'fire', event: 'alarm' },
  correlate: { distinctDevices: 2, within: '2m', by: 'place' },
  severity: 'red',
  title: 'Fire at {place}',
};

function errorsOf(rules: unknown[]): string[] {
  const result = parseRules({ rules });
  return result.ok ? [] : result.issues.map((i) => `${i.rule ? `#${i.rule.index + 1} ${i.rule.id ?? '-'} ` : ''}${i.path.join('.')}: ${i.message}`);
}

function errorsOfYaml(yaml: string): string[] {
  const load = parseRulesYaml(yaml);
  return load.ok ? [] : load.errors;
}

t.test('the message the operator sees names the rule by id and position, the field path, and what was written', async (t) => {
  const yaml = `version: 1
rules:
  - id: fire-alarm
    description: one detector
    match: { kind: fire, event: alarm }
    severity: orange
    title: Fire alarm at {place}
  - id: fire-confirmed
    description: a second detector confirms
    match: { kind: fire, event: alarm }
    correlate:
      distinctDevices: 2
      within: two minutes
      by: place
    severity: red
    title: Confirmed fire at {place}
`;
  t.same(errorsOfYaml(yaml), [
    'rule "fire-confirmed" (#2): correlate.within: expected a duration like "2m", got "two minutes" (line 13)',
  ]);
});

const cases: { name: string; rule: Record<string, unknown>; expect: RegExp }[] = [
  { name: 'missing severity', rule: { ...good, severity: undefined }, expect: /^#1 fire-confirmed severity: required$/ },
  { name: 'unknown severity', rule: { ...good, severity: 'amber' }, expect: /severity: expected one of red, orange, blue, green, got "amber"/ },
  { name: 'bad id', rule: { ...good, id: 'Fire Confirmed' }, expect: /^#1 Fire Confirmed id: expected lower-case letters, digits and dashes/ },
  { name: 'unknown kind', rule: { ...good, match: { kind: 'smoke' } }, expect: /match\.kind: expected one of camera, lock, ebike-station, fire, team, got "smoke"/ },
  { name: 'event not text', rule: { ...good, match: { kind: 'fire', event: ['alarm', 7] } }, expect: /match\.event\.1: expected text, got 7/ },
  { name: 'empty event list', rule: { ...good, match: { kind: 'fire', event: [] } }, expect: /match\.event: expected at least one entry, got \[\]/ },
  { name: 'misspelt key', rule: { ...good, corelate: good.correlate, correlate: undefined }, expect: /corelate: unknown key \(did you mean "correlate"\?\)/ },
  { name: 'unknown operator', rule: { ...good, match: { kind: 'lock', where: { battery_pct: { lessThan: 20 } } } }, expect: /match\.where\.battery_pct\.lessThan: unknown key/ },
  { name: 'empty operator map', rule: { ...good, match: { kind: 'lock', where: { battery_pct: {} } } }, expect: /match\.where\.battery_pct: expected at least one of equals, in, not/ },
  { name: 'range bound not a number', rule: { ...good, match: { kind: 'lock', where: { battery_pct: { lt: 'low' } } } }, expect: /match\.where\.battery_pct\.lt: expected a number, got "low"/ },
  { name: 'null predicate', rule: { ...good, match: { kind: 'lock', where: { result: null } } }, expect: /match\.where\.result: expected a value, a list of values, or an operator map like \{ lt: 20 \}, got null/ },
  { name: 'fields. prefix in where', rule: { ...good, match: { kind: 'lock', where: { 'fields.result': 'denied' } } }, expect: /match\.where\.fields\.result: expected a bare field name like "sensor" \(no "fields\." prefix\), got "fields\.result"/ },
  { name: 'misspelt group', rule: { ...good, correlate: { ...good.correlate, by: 'plcae' } }, expect: /correlate\.by: expected device, place, zone, site or fields\.<name>, got "plcae"/ },
  { name: 'duration without unit', rule: { ...good, correlate: { ...good.correlate, within: 120 } }, expect: /correlate\.within: expected a duration like "2m", got 120/ },
  { name: 'zero duration', rule: { ...good, correlate: { ...good.correlate, within: '0s' } }, expect: /correlate\.within: expected a duration like "2m", got "0s"/ },
  { name: 'threshold not whole', rule: { ...good, correlate: { ...good.correlate, distinctDevices: 1.5 } }, expect: /correlate\.distinctDevices: expected a whole number, got 1\.5/ },
  { name: 'two correlations', rule: { ...good, correlate: { ...good.correlate, count: 3 } }, expect: /correlate: expected exactly one of count, distinctDevices, absentFor, sustainedFor, got count and distinctDevices/ },
  { name: 'no correlation', rule: { ...good, correlate: { within: '2m' } }, expect: /correlate: expected exactly one of .*, got none/ },
  { name: 'count without window', rule: { ...good, correlate: { count: 3 } }, expect: /correlate\.within: required with count/ },
  { name: 'window on absence', rule: { ...good, correlate: { absentFor: '2 heartbeats', within: '2m' } }, expect: /correlate\.within: not used with absentFor/ },
  { name: 'bad absence', rule: { ...good, correlate: { absentFor: 'two beats' } }, expect: /correlate\.absentFor: expected a duration like "10m" or heartbeat periods like "2 heartbeats", got "two beats"/ },
  { name: 'sustained without clearing event', rule: { ...good, correlate: { sustainedFor: '5m' } }, expect: /correlate\.clearedBy: required with sustainedFor/ },
  { name: 'sustained cleared by its own event', rule: { ...good, correlate: { sustainedFor: '5m', clearedBy: 'alarm' } }, expect: /correlate\.clearedBy: "alarm" also matches the rule, so the state could never last/ },
  { name: 'unknown placeholder', rule: { ...good, title: 'Fire at {plcae}' }, expect: /title: unknown placeholder \{plcae\}.*got "Fire at \{plcae\}"/ },
  { name: 'unclosed placeholder', rule: { ...good, title: 'Fire at {place' }, expect: /title: unclosed "\{" at position 9/ },
  { name: 'dispatch not a flag', rule: { ...good, actions: { dispatch: 'yes' } }, expect: /actions\.dispatch: expected true or false, got "yes"/ },
  { name: 'dispatch reason placeholder', rule: { ...good, actions: { dispatch: { reason: 'go to {fields.}' } } }, expect: /actions\.dispatch\.reason: unknown placeholder \{fields\.\}/ },
  { name: 'device command without command', rule: { ...good, actions: { deviceCommand: { deviceId: 'trigger' } } }, expect: /actions\.deviceCommand\.command: required/ },
];

for (const c of cases) {
  t.test(`${c.name}: refused, naming rule and field`, async (t) => {
    const errors = errorsOf([c.rule]);
    t.ok(errors.some((e) => c.expect.test(e)), `expected ${c.expect} in:\n${errors.join('\n')}`);
  });
}

t.test('every broken rule of a file is reported, a rule without an id by position', async (t) => {
  const errors = errorsOf([{ ...good, id: 'a', severity: 'pink' }, good, { description: 'no id' }, { ...good, id: 'a' }]);
  t.match(errors, [/^#1 a severity/, /^#3 - id: required/, /^#3 - match: required/, /^#3 - severity: required/, /^#3 - title: required/, /^#4 a id: duplicate of rule #1/]);
});

t.test('file-level problems', async (t) => {
  t.same(errorsOfYaml(''), ['expected a map with a "rules:" list, got null']);
  t.same(errorsOfYaml('rules: 3\nrule: []\n'), ['rules: expected a list, got 3 (line 1)', 'rule: unknown key (did you mean "rules"?) (line 2)']);
  t.same(errorsOfYaml('version: 2\nrules: []\n'), ['version: expected 1, got 2 (line 1)']);
  t.match(errorsOfYaml('rules:\n  - id: a\n    id: b\n'), [/^not valid YAML: Map keys must be unique at line 3/]);
  t.same(errorsOfYaml('rules: []\n'), [], 'no rules is a valid file');
});

t.test('a good rule compiles to what the engine runs', async (t) => {
  const result = parseRules({
    rules: [
      { ...good, match: { kind: ['fire'], where: { sensor: 'heat', temp_c: { gte: 60 }, room: ['a', 'b'], active: { not: false } } } },
      { ...good, id: 'silent', correlate: { absentFor: '2 heartbeats' }, key: 'fields.loop' },
      { ...good, id: 'off', match: { kind: 'camera', event: 'offline' }, correlate: { sustainedFor: '1h30m', clearedBy: ['online'] } },
    ],
  });
  t.ok(result.ok);
  if (!result.ok) return;
  const [first, silent, off] = result.rules;
  t.same(first?.match.where, [
    { field: 'sensor', tests: [{ op: 'equals', value: 'heat' }] },
    { field: 'temp_c', tests: [{ op: 'gte', value: 60 }] },
    { field: 'room', tests: [{ op: 'in', values: ['a', 'b'] }] },
    { field: 'active', tests: [{ op: 'not', values: [false] }] },
  ]);
  t.same(first?.correlate, { type: 'distinctDevices', atLeast: 2, withinMs: 120_000, by: { source: 'place' } });
  t.same(first?.key, { source: 'place' }, 'the incident key follows correlate.by');
  t.same(silent?.correlate, { type: 'absence', silence: { heartbeats: 2 }, by: { source: 'device' } });
  t.same(silent?.key, { source: 'field', field: 'loop' });
  t.match(off?.correlate, { type: 'sustained', forMs: 5_400_000, clearedBy: { kinds: ['camera'], events: ['online'] } });
  t.equal(off?.enabled, true);
});
