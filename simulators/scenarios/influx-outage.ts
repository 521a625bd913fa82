import type { CameraPlan, PlannedDevice, VillagePlan } from '../village/plan.js';
import type { Random } from '../village/random.js';
import { CheckList, poll, running, sleep, type Scenario, type ScenarioContext, type Verdict } from './scenario.js';

const isCamera = (d: PlannedDevice): d is CameraPlan => d.kind === 'camera';
const SENDERS = 10;
const ROUNDS = { before: 3, during: 10, after: 3 };

function sendersOf(plan: VillagePlan, random: Random, available?: ReadonlySet<string>): CameraPlan[] {
  return random.shuffle(running(plan, isCamera, available)).slice(0, SENDERS);
}

/** `gateway_outbox_depth_messages` from /metrics: what is durable but not yet in InfluxDB. */
async function outboxDepth(ctx: ScenarioContext): Promise<number | undefined> {
  const text = (await ctx.client.request<unknown>('GET', '/metrics')).text;
  const match = /^gateway_outbox_depth_messages\s+(\S+)/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

async function countMarked(url: string, db: string, prefix: string): Promise<number> {
  const q = `SELECT count("msg_id") FROM "camera_health" WHERE "msg_id" =~ /^${prefix}/ AND time > now() - 6h`;
  const response = await fetch(`${url}/query?${new URLSearchParams({ db, q })}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as { results?: { series?: { values: [string, number][] }[] }[] };
  return body.results?.[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

/**
 * InfluxDB goes away for a while and comes back. Ten cameras keep sending
 * health reports, each with its own message id (stored as `msg_id`); every
 * one the gateway acknowledged must end up in InfluxDB exactly once:
 * PUBACK means durable, the outbox holds what InfluxDB cannot take yet.
 */
export const influxOutage: Scenario = {
  name: 'influx-outage',
  title: 'InfluxDB outage and recovery: every acknowledged message lands, once',
  actors(plan, random) {
    return new Set(sendersOf(plan, random).map((c) => c.id));
  },
  async run(ctx: ScenarioContext): Promise<Verdict> {
    const { timeline, control, client } = ctx;
    if (!ctx.influx || !ctx.outage) {
      const why = 'needs the InfluxDB it writes to (--influx-url, --influx-db) and a way to stop it (--influx-pid, or --outage-cmd/--recover-cmd)';
      timeline.step(`influx-outage: skipped: ${why}`);
      return { scenario: this.name, ok: false, skipped: why, summary: `skipped: ${why}`, checks: [], incidentIds: [] };
    }
    const { influx, outage } = ctx;
    const checks = new CheckList(timeline);
    const senders = sendersOf(ctx.plan, ctx.random, ctx.available);
    const prefix = `outage-${ctx.random.int(0, 36 ** 6).toString(36)}-`;
    let sequence = 0;
    let acked = 0;
    let sent = 0;
    const round = async () => {
      const results = await Promise.all(
        senders.map((camera) => {
          sent += 1;
          const id = `${prefix}${++sequence}`;
          return control.publish({ deviceId: camera.id, channel: 'status', json: { id, fps: 25, bitrate_kbps: 2048, video_loss: false, tamper: false, fw: '5.7.3' } });
        }),
      );
      acked += results.filter(Boolean).length;
      return results.filter(Boolean).length;
    };
    timeline.step(`influx-outage: ${senders.length} cameras send health reports with ids ${prefix}N`);
    for (let r = 0; r < ROUNDS.before; r++) {
      await round();
      await sleep(1000);
    }
    timeline.step(`before the outage: ${acked}/${sent} acknowledged`);

    await outage.begin();
    timeline.step('InfluxDB is down');
    const notReady = await poll(async () => ((await client.request('GET', '/readyz')).status === 503 ? true : undefined), 20_000, 500);
    checks.add('gateway reports not ready', notReady === true, notReady ? '/readyz answers 503 while InfluxDB is away' : '/readyz still 200 after 20 s');
    const ackedBefore = acked;
    const sentBefore = sent;
    for (let r = 0; r < ROUNDS.during; r++) {
      await round();
      await sleep(1000);
    }
    const duringAcked = acked - ackedBefore;
    checks.add('devices still acknowledged', duringAcked === sent - sentBefore, `${duringAcked}/${sent - sentBefore} PUBACKed during the outage (made durable in the outbox)`);
    timeline.step(`outbox depth during the outage: ${(await outboxDepth(ctx).catch(() => undefined)) ?? '?'} messages (the whole village's, not only ours)`);

    await outage.end();
    timeline.step('InfluxDB is back');
    for (let r = 0; r < ROUNDS.after; r++) {
      await round();
      await sleep(1000);
    }
    timeline.step(`all rounds sent: ${acked}/${sent} acknowledged; waiting for them in InfluxDB`);
    let stored = 0;
    const landed = await poll(async () => {
      stored = await countMarked(influx.url, influx.db, prefix);
      return stored >= acked ? stored : undefined;
    }, 120_000, 1000);
    checks.add('nothing lost', landed !== undefined && stored >= acked, `${stored} in InfluxDB of ${acked} acknowledged`);
    checks.add('nothing twice', stored <= sent, `${stored} stored, ${sent} sent (a message is one point, even when resent)`);
    const ready = await poll(async () => ((await client.request('GET', '/readyz')).status === 200 ? true : undefined), 30_000, 500);
    checks.add('gateway ready again', ready === true, ready ? '/readyz answers 200' : '/readyz not 200 after 30 s');
    timeline.step(`outbox depth after: ${(await outboxDepth(ctx).catch(() => undefined)) ?? '?'} messages`);
    return checks.verdict(this.name, `${stored}/${acked} acknowledged messages in InfluxDB after the outage`, []);
  },
};
