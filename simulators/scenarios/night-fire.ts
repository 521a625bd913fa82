import type { DetectorPlan, PlannedDevice } from '../village/plan.js';
import type { Random } from '../village/random.js';
import type { VillagePlan } from '../village/plan.js';
import { CheckList, cleanUp, findIncident, poll, running, sleep, simMs, waitForStatus, type Scenario, type ScenarioContext, type Verdict } from './scenario.js';

const TARGET_SECONDS = 180;
/** Village time between the first and the second detector. */
const SECOND_DETECTOR_AFTER_MS = 40_000;

function detectorsByFactory(plan: VillagePlan, available?: ReadonlySet<string>): Map<string, DetectorPlan[]> {
  const byFactory = new Map<string, DetectorPlan[]>();
  for (const device of running(plan, (d: PlannedDevice): d is DetectorPlan => d.kind === 'fire', available)) {
    if (!device.place) continue;
    const list = byFactory.get(device.place) ?? [];
    list.push(device);
    byFactory.set(device.place, list);
  }
  return byFactory;
}

function chooseFactory(plan: VillagePlan, random: Random, target: string | undefined, busyPlaces: ReadonlySet<string> = new Set(), available?: ReadonlySet<string>): DetectorPlan[] {
  const byFactory = detectorsByFactory(plan, available);
  if (target) {
    const chosen = byFactory.get(target);
    if (!chosen || chosen.length < 2) throw new Error(`night-fire: ${target} is not a factory with two detectors in this plan`);
    return chosen;
  }
  const candidates = [...byFactory.values()].filter((list) => list.length >= 2 && !busyPlaces.has(list[0]!.placeName ?? ''));
  if (candidates.length === 0) throw new Error('night-fire: no factory with two detectors and no open fire incident');
  return random.pick(candidates);
}

/**
 * Night-time factory fire: one smoke detector alarms (orange, a team is sent
 * to verify), a second one in the same factory confirms it 40 s later (the
 * same incident turns red and the brigade is told); the team accepts, drives
 * there along its route and arrives — within 180 s of the first alarm, or
 * not.
 */
export const nightFire: Scenario = {
  name: 'night-fire',
  title: 'Night-time factory fire: two detectors, red, team and brigade, arrival against the 180 s target',
  startHour: 2,
  actors(plan, random, target) {
    return new Set(chooseFactory(plan, random, target).slice(0, 2).map((d: PlannedDevice) => d.id));
  },
  async run(ctx: ScenarioContext): Promise<Verdict> {
    const { timeline, control, client } = ctx;
    const checks = new CheckList(timeline);
    const busy = new Set((await client.incidents('open=true&kind=fire&limit=1000')).map((i) => i.place ?? ''));
    const [first, second] = chooseFactory(ctx.plan, ctx.random, ctx.target, busy, ctx.available) as [DetectorPlan, DetectorPlan];
    const placeName = first.placeName ?? first.place ?? first.id;
    timeline.step(`night-fire at ${placeName} (${first.place}, ${first.zoneName}): detectors ${first.id} and ${second.id}`);

    const alarmAt = Date.now();
    const sent = await control.publish({ deviceId: first.id, channel: 'event', json: { event: 'alarm', sensor: 'smoke', smoke_obscuration: 4.2, ts: Date.now() } });
    timeline.step(`${first.id}: smoke alarm ${sent ? 'acknowledged by the gateway' : 'NOT acknowledged (device offline?)'}`);
    if (!checks.add('first alarm delivered', sent, `${first.id} alarm PUBACKed`)) return checks.verdict(this.name, 'the first detector could not send', []);

    const opened = await poll(() => findIncident(ctx, alarmAt, (i) => i.kind === 'fire' && i.place === placeName, 'open=true&kind=fire&limit=200'), 10_000);
    if (!opened) {
      checks.add('incident opened', false, 'no fire incident at this place within 10 s');
      return checks.verdict(this.name, 'no incident', []);
    }
    checks.add('incident opened', true, `#${opened.id} "${opened.title}" ${opened.severity}`);
    const id = opened.id;
    checks.add('orange at first', opened.severity === 'orange', `severity ${opened.severity} after one detector`);
    const dispatched = await poll(async () => {
      const { incident } = await client.incident(id);
      return incident.teamId ? incident : undefined;
    }, 15_000);
    checks.add('team dispatched', dispatched !== undefined, dispatched ? `${dispatched.teamId}, ETA ${Math.round(dispatched.etaSeconds ?? NaN)} s by road${dispatched.targetAtRisk ? ' (target at risk: escalated)' : ''}` : 'no team within 15 s');

    await sleep(simMs(ctx, SECOND_DETECTOR_AFTER_MS));
    const secondSent = await control.publish({ deviceId: second.id, channel: 'event', json: { event: 'alarm', sensor: 'smoke', smoke_obscuration: 7.9, ts: Date.now() } });
    timeline.step(`${second.id}: smoke alarm ${secondSent ? 'acknowledged' : 'NOT acknowledged'} (${SECOND_DETECTOR_AFTER_MS / 1000} s village time after the first)`);
    const red = await poll(async () => {
      const { incident } = await client.incident(id);
      return incident.severity === 'red' && incident.brigadeNotified ? incident : undefined;
    }, 10_000);
    const now = (await client.incident(id)).incident;
    checks.add('second detector turned it red', now.severity === 'red', `the same incident #${id} is ${now.severity}`);
    checks.add('brigade notified', red !== undefined || now.brigadeNotified, now.brigadeNotified ? 'brigadeNotified = true' : 'brigade not notified');

    const eta = dispatched?.etaSeconds ?? 300;
    // Reading the order (≤ 20 s), the drive (the ETA), and slack for a slow start; in real time at this speed.
    const arrivalTimeout = simMs(ctx, (eta + 20 + 120) * 1500) + 30_000;
    const accepted = await waitForStatus(ctx, id, ['accepted', 'arrived'], simMs(ctx, 40_000) + 20_000);
    checks.add('team accepted', accepted !== undefined, accepted ? `${accepted.teamId} accepted` : 'no accept');
    const arrived = await waitForStatus(ctx, id, ['arrived'], arrivalTimeout);
    if (!arrived) {
      checks.add('team arrived', false, `not arrived within ${Math.round(arrivalTimeout / 1000)} s real`);
      await cleanUp(ctx, [id], this.name);
      return checks.verdict(this.name, 'no team arrived', [id]);
    }
    checks.add('team arrived', true, `${arrived.teamId} on site`);
    const responseVillage = (arrived.responseSeconds ?? (arrived.arrivedAt! - arrived.openedAt) / 1000) * ctx.speed;
    const met = responseVillage <= TARGET_SECONDS;
    checks.add(`arrival within ${TARGET_SECONDS} s`, met, `${Math.round(responseVillage)} s village time after the first alarm (ETA was ${Math.round(eta)} s)`);
    const detail = await client.incident(id);
    timeline.step(`audit: ${detail.audit.map((a) => `${a.action}${a.toStatus ? `→${a.toStatus}` : ''}`).join(', ')}`);

    await control.publish({ deviceId: first.id, channel: 'event', json: { event: 'restore', sensor: 'smoke', ts: Date.now() } });
    await control.publish({ deviceId: second.id, channel: 'event', json: { event: 'restore', sensor: 'smoke', ts: Date.now() } });
    await cleanUp(ctx, [id], this.name);
    return checks.verdict(
      this.name,
      `${arrived.teamId} arrived ${Math.round(responseVillage)} s after the first alarm: ${met ? 'within' : 'MISSED'} the ${TARGET_SECONDS} s target`,
      [id],
    );
  },
};
