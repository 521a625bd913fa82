import type { LockPlan, PlannedDevice, VillagePlan } from '../village/plan.js';
import type { Random } from '../village/random.js';
import { CheckList, cleanUp, findIncident, poll, running, sleep, simMs, type Scenario, type ScenarioContext, type Verdict } from './scenario.js';

const isLock = (d: PlannedDevice): d is LockPlan => d.kind === 'lock';
const ATTEMPTS = 6;
/** The default rule: 5 denied swipes at one door within 60 s. */
const THRESHOLD = 5;

function lockOf(plan: VillagePlan, random: Random, target?: string, available?: ReadonlySet<string>): LockPlan {
  const locks = running(plan, isLock, available);
  const lock = target ? locks.find((l) => l.id === target || l.room === target) : random.pick(locks);
  if (!lock) throw new Error(`brute-force: no lock ${target ?? ''} in the plan`);
  return lock;
}

/**
 * Someone tries a rental-room door: PIN after wrong PIN, and a cloned card
 * the lock does not know, six denied attempts in about 40 village seconds.
 * The burst rule must open its incident at the fifth, not before.
 */
export const bruteForce: Scenario = {
  name: 'brute-force',
  title: 'Brute-force attempts at a door: denied-swipe burst incident at the 5th attempt',
  startHour: 23,
  actors(plan, random, target) {
    return new Set([lockOf(plan, random, target).id]);
  },
  async run(ctx: ScenarioContext): Promise<Verdict> {
    const { timeline, control } = ctx;
    const checks = new CheckList(timeline);
    const lock = lockOf(ctx.plan, ctx.random, ctx.target, ctx.available);
    timeline.step(`brute-force at room ${lock.room} (${lock.placeName ?? lock.place}), lock ${lock.id}`);
    const startedAt = Date.now();
    const burst = () => findIncident(ctx, startedAt, (i) => i.ruleId === 'denied-swipe-burst' && i.deviceId === lock.id, 'open=true&kind=lock&limit=500');
    let openedAfter: number | undefined;
    let earlyIncident = false;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const cardAttempt = attempt === 3;
      const swipe = cardAttempt
        ? { event: 'swipe', room: lock.room, cardUid: ctx.random.int(0x10000000, 0xffffffff).toString(16).toUpperCase(), method: 'ic', result: 'denied', reason: 'not_registered', ts: Date.now() }
        : { event: 'swipe', room: lock.room, method: 'pin', result: 'denied', reason: 'wrong_pin', ts: Date.now() };
      const acked = await control.publish({ deviceId: lock.id, channel: 'event', json: swipe });
      timeline.step(`attempt ${attempt}: ${cardAttempt ? 'unknown card' : 'wrong PIN'}, denied (${acked ? 'acknowledged' : 'NOT acknowledged'})`);
      const found = await poll(burst, attempt >= THRESHOLD ? 5_000 : 600);
      if (found && openedAfter === undefined) {
        openedAfter = attempt;
        if (attempt < THRESHOLD) earlyIncident = true;
        timeline.step(`incident #${found.id} "${found.title}" ${found.severity}`);
      }
      await sleep(simMs(ctx, 7_000));
    }
    const incident = await burst();
    checks.add('burst incident opened', incident !== undefined, incident ? `#${incident.id} ${incident.severity} after attempt ${openedAfter}` : 'no denied-swipe-burst incident');
    checks.add(`not before the ${THRESHOLD}th attempt`, !earlyIncident, earlyIncident ? `opened after attempt ${openedAfter}` : `opened after attempt ${openedAfter ?? '—'}`);
    checks.add('orange', incident?.severity === 'orange', `severity ${incident?.severity ?? '—'}`);
    const unknownCard = await findIncident(ctx, startedAt, (i) => i.ruleId === 'card-not-registered' && i.deviceId === lock.id, 'open=true&kind=lock&limit=500');
    if (unknownCard) timeline.step(`also: #${unknownCard.id} "${unknownCard.title}" (the unknown card)`);
    const ids = [incident?.id, unknownCard?.id].filter((id): id is number => id !== undefined);
    await cleanUp(ctx, ids, this.name);
    return checks.verdict(this.name, incident ? `burst incident #${incident.id} after attempt ${openedAfter}` : 'no burst incident', ids);
  },
};
