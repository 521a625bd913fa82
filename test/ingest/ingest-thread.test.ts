import t from 'tap';
import { modelsForKind } from '../../devices/index.js';
import { modelId } from '../../devices/model.js';
import { CHANNEL_CODES, UPLINK_META_WIDTH, createPreparer, type DeviceDefinition } from '../../src/ingest/ingest-thread.js';
import type { UplinkVerdict } from '../../src/ingest/uplink-decoder.js';
import type { RawBatch } from '../../src/store/outbox-types.js';

const INGEST = {
  maxPayloadBytes: 4096,
  rateLimits: {} as never,
  heartbeatTimeoutFactor: 3,
  tsMaxPastMs: 7 * 86_400_000,
  tsMaxFutureMs: 300_000,
  clockSkewWarnMs: 30_000,
};
const CARD = '330106199001011234';
const lockModel = modelId(modelsForKind('lock')[0]!);

function batchOf(entries: { handle: number; channel: 'event' | 'status'; at: number; payload: string }[], definitions: DeviceDefinition[]): RawBatch {
  const payloads = entries.map((e) => Buffer.from(e.payload));
  const offsets = new Uint32Array(entries.length + 1);
  payloads.forEach((p, i) => (offsets[i + 1] = offsets[i]! + p.length));
  const meta = new Float64Array(entries.flatMap((e) => [e.handle, CHANNEL_CODES[e.channel], e.at]));
  return { meta, metaWidth: UPLINK_META_WIDTH, offsets, payloads: new Uint8Array(Buffer.concat(payloads)), definitions: definitions.map((d) => [0, d]) };
}

t.test('the ingest thread decodes raw uplinks into lines, verdicts and dead letters, card numbers protected', async (t) => {
  const prepare = createPreparer({ ingest: INGEST, siteSecret: 'thread-test-secret' });
  const now = Date.now();
  const swipe = JSON.stringify({ id: 'm-1', room: '3-201', card: CARD, result: 'granted', method: 'idcard' });
  const prepared = prepare(
    batchOf(
      [
        { handle: 1, channel: 'event', at: now, payload: swipe },
        { handle: 1, channel: 'event', at: now, payload: '{"room":' },
        { handle: 1, channel: 'event', at: now, payload: JSON.stringify({ room: '3-201', card: CARD, result: 'granted', method: 'idcard', ts: now - 3_600_000 }) },
        { handle: 1, channel: 'event', at: now, payload: JSON.stringify({ room: '3-201', card: CARD, result: 'granted', method: 'idcard', ts: 5 }) },
      ],
      [[1, 'lock-7', 'village', 'lock', lockModel]],
    ),
  );
  t.equal(prepared.length, 4, 'one preparation per entry, in order');

  const [stored, malformed, skewed, absurd] = prepared as [(typeof prepared)[number], (typeof prepared)[number], (typeof prepared)[number], (typeof prepared)[number]];
  const verdict = stored.result as Extract<UplinkVerdict, { status: 'stored' }>;
  t.equal(verdict.status, 'stored');
  t.equal(stored.messages, 1);
  t.equal(stored.lines.length, 1);
  t.match(stored.lines[0], /^lock_swipe,.*device=lock-7.*site=village/, 'the line carries the device tags');
  t.equal(verdict.readings[0]!.fields.card_masked, '330***********1234');

  t.equal((malformed.result as UplinkVerdict).status, 'rejected');
  t.equal(malformed.messages, 0, 'a reject is not a stored message');
  t.match(malformed.lines[0], /^ingest_rejects,/, 'but it is an ingest_rejects point');
  t.match(malformed.deadLetter, { stage: 'ingest', reason: 'malformed', deviceId: 'lock-7', topic: 'v1/village/lock/lock-7/event' });
  t.notOk('payloadPreview' in malformed.deadLetter!, 'a lock payload is never previewed');

  const skewedVerdict = skewed.result as Extract<UplinkVerdict, { status: 'stored' }>;
  t.equal(skewedVerdict.skewed, true, 'an hour behind is flagged');
  t.match(skewedVerdict.warnings, [/clock skew/]);
  t.equal((absurd.result as Extract<UplinkVerdict, { status: 'rejected' }>).reason, 'timestamp');

  const everything = JSON.stringify(prepared);
  t.notOk(everything.includes(CARD), 'no clear card number in any line, verdict or dead letter');
});

t.test('a new definition applies from its entry on; earlier messages keep the metadata they were sent with', async (t) => {
  const prepare = createPreparer({ ingest: INGEST, siteSecret: 'thread-test-secret' });
  const now = Date.now();
  const swipe = JSON.stringify({ room: '3-201', result: 'granted', method: 'pin' });
  const batch = batchOf(
    [
      { handle: 4, channel: 'event', at: now, payload: swipe },
      { handle: 4, channel: 'event', at: now, payload: swipe },
    ],
    [],
  );
  batch.definitions = [
    [0, [4, 'lock-9', 'old-site', 'lock', lockModel]],
    [1, [4, 'lock-9', 'new-site', 'lock', lockModel]],
  ];
  const [first, second] = prepare(batch);
  t.match(first!.lines[0], /site=old-site/);
  t.match(second!.lines[0], /site=new-site/);
});

t.test('a handle without its definition is a programming error, not a silent drop', async (t) => {
  const prepare = createPreparer({ ingest: INGEST, siteSecret: 's' });
  t.throws(() => prepare(batchOf([{ handle: 9, channel: 'status', at: Date.now(), payload: '{}' }], [])), /no definition for device handle 9/);
});
