import t from 'tap';
import { ClaimCodes } from '../../src/pairing/claim-codes.js';
import { parseCode, isParseFailure } from '../../src/pairing/code-format.js';
import { claimCodesCsv } from '../../src/pairing/csv.js';
import { claimSheetHtml } from '../../src/pairing/sheet.js';
import { pairingFixture } from './helpers.js';

t.test('a batch of 500 codes: unique, valid, stored for reprinting, with kind prefix', async (t) => {
  const f = pairingFixture(t);
  const { batch, codes } = f.codes.createBatch({ site: 'testvillage', kind: 'fire', count: 500, by: 'alice', now: f.clock.now });
  t.match(batch, { id: /^cb_[0-9a-f]{12}$/, site: 'testvillage', kind: 'fire', prefix: 'FD', count: 500, used: 0, createdBy: 'alice' });
  t.equal(codes.length, 500);
  t.equal(new Set(codes.map((c) => c.code)).size, 500, 'no code twice');
  t.ok(codes.every((c) => /^FD-\w{4}-\w{4}$/.test(c.code) && !isParseFailure(parseCode(c.code))), 'every code carries a valid check character');
  t.same(f.codes.list({ batchId: batch.id }).map((c) => c.code), codes.map((c) => c.code), 'listed in print order');

  const custom = f.codes.createBatch({ site: 'testvillage', kind: 'camera', count: 3, prefix: 'CAM', label: 'Block 3', by: 'alice', now: f.clock.now });
  t.ok(custom.codes.every((c) => c.code.startsWith('CAM-')));
  t.equal(f.codes.count({ kind: 'camera' }), 3);
  t.equal(f.codes.count({ site: 'testvillage' }), 503);
  t.same(f.codes.batches().map((b) => b.id).sort(), [batch.id, custom.batch.id].sort());
  t.throws(() => f.codes.createBatch({ site: 'testvillage', kind: 'fire', count: 501, by: 'alice', now: f.clock.now }), RangeError);
  t.throws(() => f.codes.createBatch({ site: 'testvillage', kind: 'fire', count: 0, by: 'alice', now: f.clock.now }), RangeError);
});

t.test('a code is used once', async (t) => {
  const f = pairingFixture(t);
  const { batch, codes } = f.codes.createBatch({ site: 'testvillage', kind: 'fire', count: 2, by: 'alice', now: f.clock.now });
  const code = parseCode(codes[0]!.code);
  if (isParseFailure(code)) throw new Error('bad code');
  t.ok(f.codes.markUsed(code.compact, { deviceId: 'fd-1', by: 'ivan', at: 5 }));
  t.notOk(f.codes.markUsed(code.compact, { deviceId: 'fd-2', by: 'mallory', at: 6 }), 'not twice');
  t.match(f.codes.find(code.compact), { usedAt: 5, usedBy: 'ivan', deviceId: 'fd-1' });
  t.equal(f.codes.batch(batch.id)?.used, 1);
  t.equal(f.codes.count({ used: true }), 1);
  t.equal(f.codes.count({ used: false }), 1);
});

t.test('a collision is drawn again', async (t) => {
  const f = pairingFixture(t);
  // The first two codes are drawn from the same "random" characters; the second must be redrawn.
  const draws = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  let i = 0;
  const codes = new ClaimCodes(f.db, (max) => (i < draws.length ? draws[i++]! : (i++ * 7) % max));
  const created = codes.createBatch({ site: 'testvillage', kind: 'fire', count: 2, by: 'alice', now: 1 });
  t.equal(new Set(created.codes.map((c) => c.code)).size, 2);
});

t.test('the printable sheet: one inline QR SVG and the code text per sticker, A4, nothing external', async (t) => {
  const f = pairingFixture(t);
  const { batch, codes } = f.codes.createBatch({ site: 'testvillage', kind: 'fire', count: 30, label: '<Factory row>', by: 'alice', now: f.clock.now });
  const html = await claimSheetHtml(batch, codes, f.clock.now);
  t.equal(html.match(/<svg /g)?.length, 30, '30 QR codes');
  t.equal(html.match(/class="sticker/g)?.length, 30);
  for (const code of codes) t.ok(html.includes(`<div class="code">${code.code}</div>`), `${code.code} printed under its QR`);
  t.match(html, /@page \{ size: A4/);
  t.notMatch(html, /<script|<link|src=|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no scripts, links or external assets');
  t.match(html, /&#60;Factory row&#62;/, 'the label is escaped');
});

t.test('CSV export', async (t) => {
  const f = pairingFixture(t);
  const { codes } = f.codes.createBatch({ site: 'testvillage', kind: 'lock', count: 2, by: 'alice', now: Date.UTC(2025, 0, 2) });
  const csv = claimCodesCsv([{ ...codes[0]!, usedAt: Date.UTC(2025, 0, 3), usedBy: '=cmd|evil', deviceId: 'dk-1' }, codes[1]!]);
  const lines = csv.trimEnd().split('\r\n');
  t.equal(lines[0], 'code,site,kind,batch,created_at,used_at,used_by,device_id');
  t.equal(lines[1], `${codes[0]!.code},testvillage,lock,${codes[0]!.batchId},2025-01-02T00:00:00.000Z,2025-01-03T00:00:00.000Z,'=cmd|evil,dk-1`);
  t.equal(lines[2], `${codes[1]!.code},testvillage,lock,${codes[1]!.batchId},2025-01-02T00:00:00.000Z,,,`);
});
