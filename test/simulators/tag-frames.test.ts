import t from 'tap';
import { findModel } from '../../devices/index.js';
import { isDecodeFailure } from '../../devices/model.js';
import { tagIdOf } from '../../devices/tagway/tag-id.js';
import { StationSim } from '../../simulators/devices/station.js';
import { tagFrames, type TimedRead } from '../../simulators/devices/tag-frames.js';
import type { StationPlan } from '../../simulators/village/plan.js';
import { capture, decode, fakeContext } from './helpers.js';

const plan: StationPlan = { kind: 'ebike-station', id: 'ebs-01', model: 'tagway/r500', name: 'test reader', lon: 120.25, lat: 30.18, zone: 'grid-01', zoneName: '第1网格' };

t.test('a reader sim batches bike passes into binary frames the tagway/r500 codec decodes, read for read', async (t) => {
  const ctx = fakeContext();
  const station = new StationSim(plan, ctx, 'secret');
  const sent = capture(station);
  const tags = [0x1234abcd, 0x10000001, 0xfffffffe, 123456];
  for (const tag of tags) station.bikePasses(tag);
  t.equal(sent.length, 0, 'reads wait for the batch');
  ctx.clockMs.now += 5000;
  ctx.scheduler.runDue();
  t.equal(sent.length, 1, 'one frame after the flush interval');
  const frame = sent[0]!;
  t.equal(frame.channel, 'event');
  t.equal(frame.payload[0], 0xeb, 'binary frame (magic 0xEB), not JSON');
  const result = decode('ebike-station', 'tagway/r500', frame);
  if (isDecodeFailure(result)) throw new Error(JSON.stringify(result.errors));
  t.same(result.warnings ?? [], [], 'no warnings');
  t.equal(result.data.length, station.readsSent, `${station.readsSent} reads (1–3 per passing bike) decoded`);
  t.same([...new Set(result.data.map((r) => r.fields.tag))].sort(), tags.map(tagIdOf).sort(), 'every bike is there, with its canonical tag id');
  t.ok(result.data.every((r) => r.measurement === 'ebike_tag_read' && typeof r.fields.rssi === 'number' && r.fields.backlog === undefined), 'live reads carry no backlog flag');
});

t.test('reads made while the uplink is down leave as backlog frames once it is back', async (t) => {
  const ctx = fakeContext();
  const station = new StationSim(plan, ctx, 'secret');
  const online = { value: false };
  const sent = capture(station, online);
  station.bikePasses(0xabcdef01);
  ctx.clockMs.now += 5000;
  ctx.scheduler.runDue();
  t.equal(sent.length, 0, 'nothing sent while offline');
  online.value = true;
  station.flush();
  t.equal(sent.length, 1);
  const result = decode('ebike-station', 'tagway/r500', sent[0]!);
  if (isDecodeFailure(result)) throw new Error(JSON.stringify(result.errors));
  t.ok(result.data.length >= 1 && result.data.every((r) => r.fields.backlog === true), 'decoded with backlog = true');
});

t.test('tagFrames: ≤ 500 reads a frame, offsets within 16 bits, backlog frames apart, time order kept', async (t) => {
  const base = 1_764_380_000_000;
  const reads: TimedRead[] = [];
  for (let i = 0; i < 1200; i++) reads.push({ tag: 1000 + i, rssi: -60, at: base + i * 10, backlog: false });
  reads.push({ tag: 9, rssi: -70, at: base + 200_000, backlog: false });
  reads.push({ tag: 7, rssi: -70, at: base + 5, backlog: true });
  const frames = tagFrames(reads);
  const codec = findModel('tagway/r500')!;
  const decoded = frames.map((payload) => {
    const result = decode('ebike-station', 'tagway/r500', { channel: 'event', payload });
    if (isDecodeFailure(result)) throw new Error(JSON.stringify(result.errors));
    return result.data;
  });
  t.equal(codec.kind, 'ebike-station');
  t.same(decoded.map((d) => d.length), [1, 500, 500, 200, 1], 'backlog frame first, then 500 + 500 + 200, then the read 200 s later in its own frame');
  t.ok(decoded[0]!.every((r) => r.fields.backlog === true));
  const all = decoded.slice(1).flat();
  t.equal(all.length, 1201);
  t.ok(all.every((r, i) => i === 0 || (r.ts ?? 0) >= (all[i - 1]!.ts ?? 0)), 'device times ascend');
  t.equal(all[all.length - 1]!.ts, base + 200_000, 'the late read keeps its time');
});
