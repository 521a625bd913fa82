import type { CameraPlan, PlannedDevice, VillagePlan } from '../village/plan.js';
import type { Random } from '../village/random.js';
import { CheckList, cleanUp, findIncident, poll, running, sleep, simMs, type Scenario, type ScenarioContext, type Verdict } from './scenario.js';

const DARK = 4;
const isCamera = (d: PlannedDevice): d is CameraPlan => d.kind === 'camera';

function camerasOf(plan: VillagePlan, random: Random, target?: string, available?: ReadonlySet<string>): CameraPlan[] {
  const byZone = new Map<string, CameraPlan[]>();
  for (const camera of running(plan, isCamera, available)) byZone.set(camera.zone, [...(byZone.get(camera.zone) ?? []), camera]);
  const zones = [...byZone.entries()].filter(([, list]) => list.length >= DARK);
  if (zones.length === 0) throw new Error(`cameras-dark: no zone has ${DARK} cameras in this plan`);
  const zone = target ? zones.find(([id]) => id === target) : random.pick(zones);
  if (!zone) throw new Error(`cameras-dark: zone ${target} has fewer than ${DARK} cameras`);
  return random.shuffle([...zone[1]]);
}

/**
 * A power cut in one grid: four cameras go dark within half a village
 * minute (their sockets die, the gateway gets their Last Wills). Three dark
 * cameras in one zone within 2 minutes is a red incident with a team sent;
 * power comes back two village minutes later and they reconnect.
 */
export const camerasDark: Scenario = {
  name: 'cameras-dark',
  title: 'Cameras in one zone go dark: Last Wills, red zone incident, team sent, cameras back',
  actors(plan, random, target) {
    return new Set(camerasOf(plan, random, target).slice(0, DARK).map((c) => c.id));
  },
  async run(ctx: ScenarioContext): Promise<Verdict> {
    const { timeline, control, client } = ctx;
    const checks = new CheckList(timeline);
    const zoneCameras = camerasOf(ctx.plan, ctx.random, ctx.target, ctx.available);
    // Cameras the gateway has online now (a camera may be down already in a running village).
    const cameras: CameraPlan[] = [];
    for (const camera of zoneCameras) {
      if (cameras.length >= DARK) break;
      if ((await client.device(camera.id))?.online) cameras.push(camera);
    }
    const zoneName = zoneCameras[0]!.zoneName;
    timeline.step(`cameras-dark in ${zoneName} (${zoneCameras[0]!.zone}): ${cameras.map((c) => c.id).join(', ')}`);
    if (!checks.add('cameras online before', cameras.length === DARK, `${cameras.length} of the ${DARK} needed are online at the gateway (the zone has ${zoneCameras.length})`)) {
      return checks.verdict(this.name, `fewer than ${DARK} cameras online in ${zoneName}`, []);
    }

    // A zone incident still open (an earlier cut, or a village stopped without --keep) would absorb this cut as a repeat.
    const earlier = (await client.incidents('open=true&kind=camera&limit=500')).filter((i) => i.ruleId === 'cameras-dark-in-zone' && i.zone === zoneName);
    for (const incident of earlier) {
      if (await client.resolve(incident.id, 'scenario cameras-dark: an earlier zone incident, closed so this cut opens its own').catch(() => false)) {
        timeline.step(`incident #${incident.id} for ${zoneName} was still open: resolved first, so this cut opens its own`);
      }
    }

    const cutAt = Date.now();
    for (const camera of cameras) {
      await control.power([camera.id], false);
      timeline.step(`${camera.id} loses power (no DISCONNECT: the broker publishes its Last Will)`);
      await sleep(simMs(ctx, 8_000));
    }
    const offline = await poll(async () => {
      const states = await Promise.all(cameras.map((c) => client.device(c.id)));
      return states.every((d) => d && !d.online) ? states : undefined;
    }, 10_000);
    checks.add('gateway sees them offline', offline !== undefined, offline ? 'all offline (Last Will / disconnect)' : 'still online at the gateway after 10 s');

    const incident = await poll(() => findIncident(ctx, cutAt, (i) => i.ruleId === 'cameras-dark-in-zone' && i.zone === zoneName, 'open=true&kind=camera&limit=500'), 10_000);
    if (!incident) checks.add('red zone incident', false, `no cameras-dark-in-zone incident for ${zoneName} within 10 s`);
    else {
      checks.add('red zone incident', incident.severity === 'red', `#${incident.id} "${incident.title}" ${incident.severity}`);
      const sent = await poll(async () => {
        const { incident: now } = await client.incident(incident.id);
        return now.teamId ? now : undefined;
      }, 15_000);
      checks.add('team sent', sent !== undefined, sent ? `${sent.teamId}, ETA ${Math.round(sent.etaSeconds ?? NaN)} s` : 'no team within 15 s');
    }

    await sleep(simMs(ctx, 120_000));
    await control.power(cameras.map((c) => c.id), true);
    timeline.step('power is back: the cameras reconnect (backoff with jitter)');
    const back = await poll(async () => {
      const states = await Promise.all(cameras.map((c) => client.device(c.id)));
      return states.every((d) => d?.online) ? states : undefined;
    }, 90_000);
    checks.add('cameras back online', back !== undefined, back ? 'all online again' : 'not all back within 90 s');
    const ids = incident ? [incident.id] : [];
    await cleanUp(ctx, ids, this.name);
    return checks.verdict(this.name, `${DARK} cameras dark in ${zoneName}: ${incident ? `incident #${incident.id} ${incident.severity}` : 'no incident'}`, ids);
  },
};
