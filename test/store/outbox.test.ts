import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableOutbox } from '../../src/store/outbox.js';

function tempFile(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'outbox.db');
}


t.test('appends resolve once committed; concurrent appends share group commits', async (t) => {
  const outbox = new DurableOutbox({ file: tempFile(t), sync: 'full', maxMessages: 100_000 });
  await outbox.start();
  t.teardown(() => outbox.stop());
  await Promise.all(Array.from({ length: 2000 }, (_, i) => outbox.append([`m v=${i}i ${i}`])));
  t.same(outbox.depth(), { rows: outbox.depth().rows, lines: 2000, messages: 2000 });
  t.ok(outbox.stats.commits < 200, `2,000 appends in ${outbox.stats.commits} commits`);
  const batch = outbox.readBatch(500);
  t.ok(batch);
  t.equal(batch!.lines[0], 'm v=0i 0', 'oldest first');
});

t.test('readBatch/remove walk the outbox in order; a restart sees what was not removed', async (t) => {
  const file = tempFile(t);
  const first = new DurableOutbox({ file, sync: 'full', maxMessages: 100_000, maxLinesPerRow: 10 });
  await first.start();
  for (let i = 0; i < 100; i++) await first.append([`m v=${i}i ${i}`, `m w=${i}i ${i}`]);
  const seen: string[] = [];
  const batch = first.readBatch(50)!;
  t.ok(batch.lines.length <= 50 && batch.lines.length > 0);
  seen.push(...batch.lines);
  first.remove(batch);
  const next = first.readBatch(50)!;
  t.equal(next.firstRowId, batch.lastRowId + 1, 'continues after the removed rows');
  await first.stop();

  const second = new DurableOutbox({ file, sync: 'full', maxMessages: 100_000 });
  await second.start();
  t.teardown(() => second.stop());
  t.equal(second.depth().lines, 200 - batch.lines.length, 'depth recovered from disk');
  const again = second.readBatch(10_000)!;
  t.equal(again.lines[0], next.lines[0], 'the unremoved rows are replayed');
});

t.test('at its bound the outbox withholds (appends wait) and resumes when the writer removes', async (t) => {
  const outbox = new DurableOutbox({ file: tempFile(t), sync: 'normal', maxMessages: 10 });
  await outbox.start();
  t.teardown(() => outbox.stop());
  await Promise.all(Array.from({ length: 10 }, (_, i) => outbox.append([`m v=${i}i ${i}`])));
  t.ok(outbox.isFull());
  let landed = false;
  const waiting = outbox.append(['m v=99i 99']).then(() => (landed = true));
  await new Promise((r) => setTimeout(r, 100));
  t.notOk(landed, 'no acknowledgement while full');
  outbox.remove(outbox.readBatch(5)!);
  await waiting;
  t.ok(landed, 'acknowledged once there is room');
});

t.test('dead letters are durable and listed newest first, filtered by device', async (t) => {
  const outbox = new DurableOutbox({ file: tempFile(t), sync: 'full', maxMessages: 100 });
  await outbox.start();
  t.teardown(() => outbox.stop());
  await outbox.recordDurably({ stage: 'ingest', reason: 'malformed', deviceId: 'a', detail: 'first', receivedAt: 1 });
  await outbox.recordDurably({ stage: 'ingest', reason: 'schema', deviceId: 'b', detail: 'second', receivedAt: 2 });
  await outbox.recordDurably({ stage: 'ingest', reason: 'schema', deviceId: 'a', detail: 'third', receivedAt: 3 });
  t.same(outbox.listDeadLetters({ deviceId: 'a', limit: 10 }).map((d) => d.detail), ['third', 'first']);
  t.same(outbox.listDeadLetters({ reason: 'schema', limit: 1 }).map((d) => d.detail), ['third']);
});

t.test('row ids are never reused after the writer emptied the outbox', async (t) => {
  const outbox = new DurableOutbox({ file: tempFile(t), sync: 'normal', maxMessages: 100 });
  await outbox.start();
  t.teardown(() => outbox.stop());
  for (let i = 1; i <= 4; i++) {
    await outbox.append([`m v=${i}i ${i}`]);
    const batch = outbox.readBatch(100);
    t.ok(batch, `append ${i} is visible to the writer at once`);
    t.same(batch?.lines, [`m v=${i}i ${i}`]);
    if (batch) outbox.remove(batch);
    await new Promise((r) => setTimeout(r, 20));
  }
});

t.test('raw entries are prepared in the outbox thread and resolve with their result once durable', async (t) => {
  const file = tempFile(t);
  const outbox = new DurableOutbox({
    file,
    sync: 'full',
    maxMessages: 100_000,
    preparer: { module: new URL('./fixtures/echo-preparer.ts', import.meta.url).href, options: { tag: 'echo' } },
  });
  await outbox.start();
  t.teardown(() => outbox.stop());
  const results = await Promise.all(
    Array.from({ length: 500 }, (_, i) =>
      outbox.appendRaw({ meta: [i, 1000 + i], payload: Buffer.from(i % 100 === 7 ? `bad ${i}` : `good ${i}`), ...(i === 0 ? { define: 'first' } : {}) }),
    ),
  );
  t.same(results[0], { tag: 'echo', text: 'good 0', defined: 1 }, 'the definition arrived with the first entry');
  t.same(results[7], { tag: 'echo', text: 'bad 7', rejected: true }, 'each entry gets its own result, in order');
  t.equal(results.filter((r) => (r as { rejected?: boolean }).rejected).length, 5);
  t.same(outbox.depth(), { rows: outbox.depth().rows, lines: 495, messages: 495 }, 'only the prepared lines count, rejects are not messages');
  t.ok(outbox.stats.commits < 100, `500 raw entries in ${outbox.stats.commits} commits`);
  t.same(outbox.listDeadLetters({ limit: 10 }).map((l) => l.detail).sort(), ['bad 107', 'bad 207', 'bad 307', 'bad 407', 'bad 7']);
  const batch = outbox.readBatch(10_000)!;
  t.equal(batch.lines[0], 'm v=0i 1000');
  t.equal(batch.lines.length, 495);
  outbox.remove(batch);

  // Mixed with plain appends in one group: both kinds land, nothing is counted twice.
  const [plain, raw] = await Promise.all([outbox.append(['m v=1i 1']), outbox.appendRaw({ meta: [9, 9], payload: Buffer.from('x') })]);
  t.equal(plain, undefined);
  t.same(raw, { tag: 'echo', text: 'x', defined: 1 });
  t.equal(outbox.depth().messages, 2);
});

t.test('raw entries wait at the bound like any message, and an outbox without a preparer refuses them', async (t) => {
  const outbox = new DurableOutbox({
    file: tempFile(t),
    sync: 'normal',
    maxMessages: 5,
    preparer: { module: new URL('./fixtures/echo-preparer.ts', import.meta.url).href, options: { tag: 'b' } },
  });
  await outbox.start();
  t.teardown(() => outbox.stop());
  await Promise.all(Array.from({ length: 5 }, (_, i) => outbox.appendRaw({ meta: [i, i], payload: Buffer.from('ok') })));
  t.ok(outbox.isFull());
  let landed = false;
  const waiting = outbox.appendRaw({ meta: [6, 6], payload: Buffer.from('late') }).then(() => (landed = true));
  await new Promise((r) => setTimeout(r, 100));
  t.notOk(landed, 'no acknowledgement while full');
  outbox.remove(outbox.readBatch(2)!);
  await waiting;
  t.ok(landed, 'prepared and acknowledged once there is room');

  const plain = new DurableOutbox({ file: tempFile(t), sync: 'normal', maxMessages: 5 });
  await plain.start();
  t.teardown(() => plain.stop());
  await t.rejects(plain.appendRaw({ meta: [1], payload: Buffer.from('x') }), /preparer/);
});
