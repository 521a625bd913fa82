import t from 'tap';
import { RuleEngine } from '../../src/rules/engine.js';
import { cameraEvent, fireAlarm, fireEvent, firedBy, heartbeatSeconds, MINUTE, rulesFrom, SECOND, START, swipe, village } from './fixture.js';

const header = 'version: 1\nrules:\n';

t.test('where predicates: equals, in, not, ranges, exists; an absent field fails all but not/exists:false', async (t) => {
  const rules = rulesFrom(`${header}
  - { id: eq, description: d, match: { kind: lock, event: swipe, where: { result: denied } }, severity: green, title: t }
  - { id: in, description: d, match: { kind: lock, event: swipe, where: { method: [pin, card] } }, severity: green, title: t }
  - { id: not, description: d, match: { kind: lock, event: swipe, where: { method: { not: [pin, card] } } }, severity: green, title: t }
  - { id: range, description: d, match: { kind: lock, event: swipe, where: { battery_pct: { gte: 5, lt: 20 } } }, severity: green, title: t }
  - { id: exists, description: d, match: { kind: lock, event: swipe, where: { reason: { exists: true } } }, severity: green, title: t }
  - { id: absent, description: d, match: { kind: lock, event: swipe, where: { reason: { exists: false } } }, severity: green, title: t }
`);
  const v = village(rules);
  const fired = (fields: Record<string, string | number | boolean>) => v.send(0, swipe('lock-1', fields)).map((a) => a.ruleId).sort();
  t.same(fired({ result: 'denied', method: 'pin', battery_pct: 5, reason: 'expired' }), ['eq', 'exists', 'in', 'range']);
  t.same(fired({ method: 'face', battery_pct: 20 }), ['absent', 'not']);
  t.same(fired({ battery_pct: '10' }), ['absent', 'not'], 'a number test on text is false, not coerced');
});

t.test('a rule may match several kinds, or every event type of a kind', async (t) => {
  const v = village(rulesFrom(`${header}
  - { id: any-offline, description: d, match: { kind: [fire, camera], event: offline }, severity: blue, title: "{kind} {deviceId} offline" }
  - { id: any-fire, description: d, match: { kind: fire }, severity: green, title: "{event}" }
`));
  t.same(v.send(0, fireEvent('fd-1', 'offline', 'A')).map((a) => a.title), ['fire fd-1 offline', 'offline']);
  t.same(v.send(0, cameraEvent('cam-1', 'offline', 'Z')).map((a) => a.title), ['camera cam-1 offline']);
  t.same(v.send(0, swipe('lock-1', {})), []);
});

t.test('templates: fallbacks, missing values, literal braces, count, duration and group', async (t) => {
  const v = village(rulesFrom(`${header}
  - id: tpl
    description: d
    match: { kind: fire, event: alarm }
    correlate: { count: 2, within: 90s, by: place }
    severity: orange
    title: "{{{count}}} at {group} ({zone}) within {duration}: {fields.sensor} {fields.nope} {place|deviceId}"
    summary: "{deviceId} of {site}/{model}"
`));
  v.send(0, fireAlarm('fd-1', 'Factory 12'));
  const [action] = v.send(SECOND, fireAlarm('fd-2', 'Factory 12'));
  t.equal(action?.title, '{2} at Factory 12 (industrial) within 1m30s: smoke ? Factory 12');
  t.equal(action?.summary, 'fd-2 of east/emberline/sd1');
  const [noPlace] = village(rulesFrom(`${header}
  - { id: p, description: d, match: { kind: fire }, severity: green, title: "{place|deviceId} {zone}" }
`)).send(0, fireAlarm('fd-3', undefined));
  t.equal(noPlace?.title, 'fd-3 ?');
});

t.test('a device command to the triggering device, with templated args', async (t) => {
  const v = village(rulesFrom(`${header}
  - id: track
    description: d
    match: { kind: ebike-station, event: tag_read, where: { tag_stolen: true } }
    severity: red
    title: t
    actions:
      dispatch: true
      deviceCommand: { deviceId: trigger, command: track, args: { tag: "{fields.tag}", seconds: 600, loud: false } }
  - id: siren
    description: d
    match: { kind: ebike-station, event: tag_read, where: { tag_stolen: true } }
    severity: red
    title: t
    actions: { deviceCommand: { deviceId: siren-1, command: sound } }
`));
  const [track, siren] = v.send(0, {
    kind: 'ebike-station', event: 'tag_read', deviceId: 'st-7', site: 'east', model: 'tagway/r1', fields: { tag: 'T1', tag_stolen: true },
  });
  t.same(track?.actions, { dispatch: true, deviceCommand: { deviceId: 'st-7', command: 'track', args: { tag: 'T1', seconds: 600, loud: false } } });
  t.same(siren?.actions, { deviceCommand: { deviceId: 'siren-1', command: 'sound', args: {} } });
});

t.test('default summaries say what happened', async (t) => {
  const v = village(rulesFrom(`${header}
  - { id: plain, description: d, match: { kind: fire, event: alarm }, severity: orange, title: t }
  - { id: many, description: d, match: { kind: fire, event: alarm }, correlate: { distinctDevices: 2, within: 2m, by: place }, severity: red, title: t }
  - { id: gone, description: d, match: { kind: camera, event: offline }, correlate: { sustainedFor: 5m, clearedBy: [online, health] }, severity: blue, title: t }
`));
  v.send(0, fireAlarm('fd-1', 'Factory 12'));
  const fired = v.send(SECOND, fireAlarm('fd-2', 'Factory 12'));
  t.equal(firedBy(fired, 'plain')[0]?.summary, 'fire fd-2 reported alarm at Factory 12.');
  t.equal(firedBy(fired, 'many')[0]?.summary, '2 different devices within 2m in place Factory 12: fd-1, fd-2.');
  v.send(0, cameraEvent('cam-1', 'offline', 'Z'));
  t.equal(
    v.tick(5 * MINUTE)[0]?.summary,
    `camera cam-1 at Lane cam-1 offline since ${new Date(START).toISOString()}, 5m without online or health.`,
  );
});

t.test('an event stamped in the future is taken as now (a device clock running ahead)', async (t) => {
  const rules = rulesFrom(`${header}
  - { id: quiet, description: d, match: { kind: fire, event: heartbeat }, correlate: { absentFor: 2 heartbeats }, severity: blue, title: t }
`);
  let now = START;
  const engine = new RuleEngine({ rules, clock: () => now, heartbeatSeconds });
  engine.handle({ ...fireEvent('fd-1', 'heartbeat', 'A'), time: START + 60 * MINUTE });
  now = START + 10 * MINUTE;
  t.equal(engine.tick(now).length, 1, 'silence counted from when it was heard, not from its stamp');
});

t.test('replaceRules keeps the windows of rules whose id survives', async (t) => {
  const confirm = (within: string, id = 'confirm') => rulesFrom(`${header}
  - { id: ${id}, description: d, match: { kind: fire, event: alarm }, correlate: { distinctDevices: 2, within: ${within}, by: place }, severity: red, title: t }
`);
  const v = village(confirm('2m'));
  v.send(0, fireAlarm('fd-1', 'Factory 12'));
  v.engine.replaceRules(confirm('3m'));
  t.equal(v.send(150 * SECOND, fireAlarm('fd-2', 'Factory 12')).length, 1, 'the first alarm survived; the new 3m window applies');

  const renamed = village(confirm('2m'));
  renamed.send(0, fireAlarm('fd-1', 'Factory 12'));
  renamed.engine.replaceRules(confirm('2m', 'confirm-v2'));
  t.same(renamed.send(SECOND, fireAlarm('fd-2', 'Factory 12')), [], 'a new id starts empty');

  const regrouped = village(confirm('2m'));
  regrouped.send(0, fireAlarm('fd-1', 'Factory 12'));
  regrouped.engine.replaceRules(rulesFrom(`${header}
  - { id: confirm, description: d, match: { kind: fire, event: alarm }, correlate: { distinctDevices: 2, within: 2m, by: zone }, severity: red, title: t }
`));
  t.same(regrouped.send(SECOND, fireAlarm('fd-2', 'Factory 12')), [], 'grouped differently: starts empty');

  const off = village(confirm('2m'));
  off.engine.replaceRules(rulesFrom(`${header}
  - { id: confirm, enabled: false, description: d, match: { kind: fire }, severity: red, title: t }
`));
  t.same(off.send(0, fireAlarm('fd-1', 'A')), [], 'a disabled rule does not run');
  t.equal(off.engine.rules.length, 0);
});

t.test('memory is bounded: windows expire on tick, and a rule forgets its least recent groups beyond the bound', async (t) => {
  const rules = rulesFrom(`${header}
  - { id: burst, description: d, match: { kind: lock, event: swipe }, correlate: { count: 5, within: 60s }, severity: orange, title: t }
`);
  const v = village(rules);
  for (let i = 0; i < 100; i++) v.send(i, swipe(`lock-${i}`, {}));
  t.equal(v.engine.stats().groups, 100);
  v.tick(99 + 60 * SECOND);
  t.equal(v.engine.stats().groups, 1, 'the groups older than the window are gone');
  v.tick(100 + 60 * SECOND);
  t.equal(v.engine.stats().groups, 0);

  let now = START;
  const bounded = new RuleEngine({ rules, clock: () => now, heartbeatSeconds, maxGroupsPerRule: 10 });
  for (let i = 0; i < 25; i++) bounded.handle({ ...swipe(`lock-${i}`, {}), time: now++ });
  t.same(bounded.stats(), { rules: 1, groups: 10, evicted: 15 });
  const [fired] = [0, 1, 2, 3].flatMap(() => bounded.handle({ ...swipe('lock-24', {}), time: now++ }));
  t.equal(fired?.key, 'burst:device:lock-24', 'the most recent groups are the ones kept');
});

t.test('deterministic: the same events give the same actions', async (t) => {
  const run = () => {
    const v = village(rulesFrom(`${header}
  - { id: dark, description: d, match: { kind: camera, event: offline }, correlate: { distinctDevices: 2, within: 2m, by: zone }, severity: red, title: "{count} dark" }
  - { id: gone, description: d, match: { kind: camera, event: offline }, correlate: { sustainedFor: 1m, clearedBy: online }, severity: blue, title: "{deviceId} gone" }
`));
    const out = [v.send(0, cameraEvent('cam-1', 'offline', 'Z')), v.send(SECOND, cameraEvent('cam-2', 'offline', 'Z'))];
    out.push(v.tickThrough(SECOND, 2 * MINUTE));
    return out;
  };
  const first = run();
  t.same(run(), first);
  t.same(first[2]?.map((a) => a.title), ['cam-1 gone', 'cam-2 gone']);
});
