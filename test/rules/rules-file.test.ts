import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { RuleEngine } from '../../src/rules/engine.js';
import { DEFAULT_RULES_FILE, loadRulesFile, RulesFileError, RulesFileWatcher, type RulesReload } from '../../src/rules/rules-file.js';
import { fireAlarm, heartbeatSeconds, START } from './fixture.js';

const alarmRule = (severity: string, id = 'fire-alarm') => `
  - id: ${id}
    description: a detector alarms
    match: { kind: fire, event: alarm }
    severity: ${severity}
    title: Fire alarm at {place}
`;
const file = (...rules: string[]) => `version: 1\nrules:\n${rules.join('')}`;

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

/** A watcher on a temp rules file driving a real engine, and a way to await its next reload. */
async function setup(t: Test, initial: string) {
  const dir = t.testdir({ 'rules.yaml': initial });
  const path = join(dir, 'rules.yaml');
  const engine = new RuleEngine({ rules: [], clock: () => START, heartbeatSeconds });
  const watcher = new RulesFileWatcher({ path, apply: (rules) => engine.replaceRules(rules), debounceMs: 30 });
  const reloads: RulesReload[] = [];
  let waiting: ((reload: RulesReload) => void) | undefined;
  watcher.onReload((reload) => {
    reloads.push(reload);
    waiting?.(reload);
  });
  t.teardown(() => watcher.stop());
  const nextReload = (): Promise<RulesReload> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reload within 5 s')), 5_000);
      waiting = (reload) => {
        clearTimeout(timer);
        waiting = undefined;
        resolve(reload);
      };
    });
  const firing = () => engine.handle({ ...fireAlarm('fd-1', 'Factory 12'), time: START }).map((a) => `${a.ruleId}:${a.severity}`);
  return { path, engine, watcher, reloads, nextReload, firing };
}

t.test('the shipped default rules file is valid', async (t) => {
  const load = await loadRulesFile(DEFAULT_RULES_FILE);
  t.ok(load.ok, load.ok ? 'valid' : load.errors.join('\n'));
});

t.test('a good edit replaces the live rules', async (t) => {
  const s = await setup(t, file(alarmRule('orange')));
  await s.watcher.start();
  t.same(s.firing(), ['fire-alarm:orange']);

  const reloaded = s.nextReload();
  await writeFile(s.path, file(alarmRule('orange'), alarmRule('red', 'fire-any')));
  t.same(await reloaded, { ok: true, ruleCount: 2 });
  t.same(s.firing(), ['fire-alarm:orange', 'fire-any:red']);
});

t.test('a bad edit is refused with the rule and field named, and the old rules still fire', async (t) => {
  const s = await setup(t, file(alarmRule('orange')));
  await s.watcher.start();

  const refused = s.nextReload();
  await writeFile(s.path, file(alarmRule('amber'), alarmRule('red', 'fire-any')));
  const reload = await refused;
  t.equal(reload.ok, false);
  t.equal(reload.ruleCount, 1, 'the one rule live before is still live');
  t.same(reload.errors, ['rule "fire-alarm" (#1): severity: expected one of red, orange, blue, green, got "amber" (line 7)']);
  t.same(s.firing(), ['fire-alarm:orange']);

  const broken = s.nextReload();
  await writeFile(s.path, 'rules:\n  - id: [\n');
  t.match(await broken, { ok: false, errors: [/^not valid YAML/] });
  t.same(s.firing(), ['fire-alarm:orange'], 'not even YAML: still the old rules');

  const fixed = s.nextReload();
  await writeFile(s.path, file(alarmRule('red')));
  t.same(await fixed, { ok: true, ruleCount: 1 });
  t.same(s.firing(), ['fire-alarm:red']);
});

t.test('an editor saving by rename is picked up', async (t) => {
  const s = await setup(t, file(alarmRule('orange')));
  await s.watcher.start();
  const reloaded = s.nextReload();
  await writeFile(`${s.path}.tmp`, file(alarmRule('blue')));
  await rename(`${s.path}.tmp`, s.path);
  t.same(await reloaded, { ok: true, ruleCount: 1 });
  t.same(s.firing(), ['fire-alarm:blue']);
});

t.test('a listener that throws does not stop the others or the reload', async (t) => {
  const s = await setup(t, file(alarmRule('orange')));
  s.watcher.onReload(() => {
    throw new Error('listener bug');
  });
  await s.watcher.start();
  const reloaded = s.nextReload();
  await writeFile(s.path, file(alarmRule('red')));
  t.same(await reloaded, { ok: true, ruleCount: 1 });
  t.same(s.firing(), ['fire-alarm:red']);
});

t.test('a bad file at start is thrown, naming rule and field', async (t) => {
  const s = await setup(t, file(alarmRule('orange'), alarmRule('orange')));
  const err = await s.watcher.start().catch((e: unknown) => e);
  t.ok(err instanceof RulesFileError);
  t.match((err as RulesFileError).errors, [/^rule "fire-alarm" \(#2\): id: duplicate of rule #1/]);
});

t.test('after stop, edits are not applied', async (t) => {
  const s = await setup(t, file(alarmRule('orange')));
  await s.watcher.start();
  s.watcher.stop();
  await writeFile(s.path, file(alarmRule('red')));
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.same(s.reloads, []);
  t.same(s.firing(), ['fire-alarm:orange']);
});
