import { encodeTagFrame } from '../../devices/index.js';
import { tagNumberOf } from '../../devices/tagway/tag-id.js';
import type { PlannedDevice, StationPlan, VillagePlan } from '../village/plan.js';
import type { Random } from '../village/random.js';
import { CheckList, cleanUp, findIncident, poll, running, sleep, simMs, waitForStatus, type Scenario, type ScenarioContext, type Verdict } from './scenario.js';

const isStation = (d: PlannedDevice): d is StationPlan => d.kind === 'ebike-station';

function actorsOf(plan: VillagePlan, random: Random, target?: string, available?: ReadonlySet<string>): { tag: string; first: StationPlan; second: StationPlan } {
  const stations = running(plan, isStation, available);
  if (stations.length < 2) throw new Error('stolen-ebike: the plan needs two tag stations');
  const stolen = target ? plan.stolenTags.find((t) => t.tag === target.toUpperCase()) : random.pick(plan.stolenTags);
  if (!stolen) throw new Error(`stolen-ebike: ${target ?? 'a stolen tag'} is not in the plan's stolen tags`);
  const first = random.pick(stations);
  const second = random.pick(stations.filter((s) => s !== first));
  return { tag: stolen.tag, first, second };
}

/** A frame of one bike passing: the stolen tag among a few ordinary ones, as the reader batches them. */
function frameWith(plan: VillagePlan, random: Random, tag: string): string {
  const now = Date.now();
  const others = Array.from({ length: 3 }, () => random.pick(plan.tags).tag).filter((t) => !plan.stolenTags.some((s) => s.tag === t));
  const reads = [tag, ...others].map((t, i) => ({ tag: tagNumberOf(t)!, rssi: random.int(-85, -55), dt: i * random.int(100, 900) }));
  return encodeTagFrame(now, reads).toString('hex');
}

/**
 * A stolen e-bike rides through the village: a roadside reader reads its
 * tag (red, a team is sent to that reader), a minute later a second reader
 * reads it (the same incident is updated: the bike's path).
 */
export const stolenEbike: Scenario = {
  name: 'stolen-ebike',
  title: 'Stolen e-bike seen by a reader, then another: red incident, team sent, path tracked',
  actors(plan) {
    // Every reader (a few dozen): the bike may pass any of them.
    return new Set(running(plan, isStation).map((s) => s.id));
  },
  async run(ctx: ScenarioContext): Promise<Verdict> {
    const { timeline, control, client } = ctx;
    const checks = new CheckList(timeline);
    const { tag, first, second } = actorsOf(ctx.plan, ctx.random, ctx.target, ctx.available);
    timeline.step(`stolen-ebike: tag ${tag}, first seen at ${first.id} (${first.name}), then at ${second.id}`);

    const register = await client.request<{ total: number }>('GET', `/api/registers/stolen-tags?search=${tag}&limit=1`);
    if (register.status === 404) {
      timeline.step('this gateway has no stolen-tags register (404): nothing can tell a stolen tag from any other');
      return { scenario: this.name, ok: false, skipped: 'no stolen-tags register on this gateway', summary: 'skipped: no stolen-tags register', checks: [], incidentIds: [] };
    }
    if ((register.body?.total ?? 0) === 0) {
      const owner = ctx.plan.stolenTags.find((t) => t.tag === tag)!;
      const reported = await client.request('POST', '/api/registers/stolen-tags', { tag, ownerName: owner.ownerName, ownerContact: owner.ownerContact });
      timeline.step(`tag ${tag} was not in the register: reported stolen now (HTTP ${reported.status})`);
    }

    const seenAt = Date.now();
    const sent = await control.publish({ deviceId: first.id, channel: 'event', hex: frameWith(ctx.plan, ctx.random, tag) });
    if (!checks.add('reader frame delivered', sent, `${first.id} sent a binary frame with ${tag} and 3 other tags`)) return checks.verdict(this.name, 'the reader could not send', []);
    const opened = await poll(() => findIncident(ctx, seenAt, (i) => i.ruleId === 'stolen-tag-seen' && i.key.endsWith(tag), 'open=true&limit=500'), 10_000);
    if (!opened) {
      checks.add('red incident', false, 'no stolen-tag-seen incident within 10 s');
      return checks.verdict(this.name, 'no incident', []);
    }
    checks.add('red incident', opened.severity === 'red', `#${opened.id} "${opened.title}" ${opened.severity}`);
    const dispatched = await poll(async () => {
      const { incident } = await client.incident(opened.id);
      return incident.teamId ? incident : undefined;
    }, 15_000);
    checks.add('team sent to the reader', dispatched !== undefined, dispatched ? `${dispatched.teamId}, ETA ${Math.round(dispatched.etaSeconds ?? NaN)} s` : 'no team within 15 s');

    await sleep(simMs(ctx, 60_000));
    const before = (await client.incident(opened.id)).incident.updates;
    const again = await control.publish({ deviceId: second.id, channel: 'event', hex: frameWith(ctx.plan, ctx.random, tag) });
    timeline.step(`${second.id} reads ${tag} a village minute later (${again ? 'acknowledged' : 'NOT acknowledged'})`);
    const updated = await poll(async () => {
      const { incident } = await client.incident(opened.id);
      return incident.updates > before ? incident : undefined;
    }, 10_000);
    checks.add('second sighting updates the same incident', updated !== undefined, updated ? `#${opened.id} updates ${before} → ${updated.updates}` : `#${opened.id} not updated`);
    const others = (await client.incidents('open=true&limit=500')).filter((i) => i.ruleId === 'stolen-tag-seen' && i.key.endsWith(tag) && i.id !== opened.id);
    checks.add('one incident per bike', others.length === 0, others.length === 0 ? 'no second incident for the same tag' : `also #${others.map((i) => i.id).join(', #')}`);

    const eta = dispatched?.etaSeconds ?? 300;
    const arrived = await waitForStatus(ctx, opened.id, ['arrived'], simMs(ctx, (eta + 140) * 1500) + 30_000);
    checks.add('team arrived at the reader', arrived !== undefined, arrived ? `${arrived.teamId} after ${Math.round((arrived.responseSeconds ?? 0) * ctx.speed)} s village time` : 'not arrived');
    await cleanUp(ctx, [opened.id], this.name);
    return checks.verdict(this.name, `tag ${tag}: red incident #${opened.id}, ${dispatched?.teamId ?? 'no team'} sent, path ${first.id} → ${second.id}`, [opened.id]);
  },
};
