import t from 'tap';
import { isFailure } from '../../devices/codec.js';
import { crc16CcittFalse } from '../../devices/crc16.js';
import { exampleContext } from '../../devices/examples.js';
import { findModel } from '../../devices/index.js';
import { isDecodeFailure, type DecodeResult } from '../../devices/model.js';
import { MAX_READS_PER_BATCH, encodeTagFrame, parseTagFrame, tagFrameLength } from '../../devices/tagway/tag-frame.js';
import { tagIdOf, tagNumberOf } from '../../devices/tagway/tag-id.js';

const TS = 1764380000000;
const reader = findModel('tagway/r500')!;
const context = exampleContext(reader, { channel: 'event' });
const decode = (bytes: Buffer): DecodeResult => reader.decode(bytes, context);

/** mulberry32: a seeded generator, so a failing buffer can be reproduced from the seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('CRC-16/CCITT-FALSE check value', async (t) => {
  t.equal(crc16CcittFalse(Buffer.from('123456789')), 0x29b1);
  t.equal(crc16CcittFalse(Buffer.alloc(0)), 0xffff, 'init 0xFFFF');
});

t.test('tag ids: one canonical form for numbers and ids', async (t) => {
  t.equal(tagIdOf(123456), 'T0001E240');
  t.equal(tagIdOf(0), 'T00000000');
  t.equal(tagIdOf(0xffffffff), 'TFFFFFFFF');
  t.equal(tagNumberOf('t0001e240'), 123456);
  t.equal(tagNumberOf(123456), 123456);
  for (const bad of ['T1E240', 'X0001E240', 'T0001E2400', 'T0001E24G', -1, 2 ** 32, 1.5, null, undefined]) {
    t.equal(tagNumberOf(bad), undefined, String(bad));
  }
});

t.test('encode → decode round trip', async (t) => {
  const reads = [
    { tag: 123456, rssi: -61, dt: 0 },
    { tag: 'TB2D05E01', rssi: -75, dt: 250 },
    { tag: 0, rssi: -128, dt: 65535 },
    { tag: 0xffffffff, rssi: 127, dt: 1 },
  ];
  const frame = encodeTagFrame(TS, reads);
  t.equal(frame.length, tagFrameLength(reads.length), '15 + 7 bytes per read');
  const parsed = parseTagFrame(frame);
  if (isFailure(parsed)) return t.fail(JSON.stringify(parsed));
  t.strictSame(parsed, {
    frame: {
      backlog: false,
      baseTs: TS,
      reads: [
        { tag: 123456, rssi: -61, dt: 0 },
        { tag: 0xb2d05e01, rssi: -75, dt: 250 },
        { tag: 0, rssi: -128, dt: 65535 },
        { tag: 0xffffffff, rssi: 127, dt: 1 },
      ],
    },
    warnings: [],
  });
  const result = decode(frame);
  t.strictSame(
    isDecodeFailure(result) ? result : result.data.map((r) => [r.ts, r.fields.tag, r.fields.rssi]),
    [
      [TS, 'T0001E240', -61],
      [TS + 250, 'TB2D05E01', -75],
      [TS + 65535, 'T00000000', -128],
      [TS + 1, 'TFFFFFFFF', 127],
    ],
  );
  const backlog = parseTagFrame(encodeTagFrame(TS, [], { backlog: true }));
  t.ok(!isFailure(backlog) && backlog.frame.backlog && backlog.frame.reads.length === 0, 'backlog flag and an empty batch round-trip');
});

t.test('the same sighting decodes the same from JSON and from a frame', async (t) => {
  const fromFrame = decode(encodeTagFrame(TS, [{ tag: 123456, rssi: -61, dt: 40 }]));
  const fromJson = decode(Buffer.from(JSON.stringify({ ts: TS, reads: [{ tag: 'T0001E240', rssi: -61, dt: 40 }] })));
  t.strictSame(fromFrame, fromJson);
});

t.test('every single-byte corruption of a valid frame is rejected as malformed', async (t) => {
  const frame = encodeTagFrame(TS, [{ tag: 123456, rssi: -61 }, { tag: 'TB2D05E01', rssi: -75, dt: 250 }, { tag: 7, rssi: -90, dt: 999 }]);
  let accepted = 0;
  let rejected = 0;
  for (let at = 0; at < frame.length; at++) {
    for (let value = 0; value < 256; value++) {
      if (value === frame[at]) continue;
      const corrupt = Buffer.from(frame);
      corrupt[at] = value;
      const result = decode(corrupt);
      if (isDecodeFailure(result) && result.reason === 'malformed') rejected++;
      else {
        accepted++;
        t.fail(`byte ${at} = 0x${value.toString(16)} was not rejected: ${JSON.stringify(result)}`);
      }
    }
  }
  t.equal(accepted, 0);
  t.equal(rejected, frame.length * 255, `${rejected} corruptions rejected`);
});

t.test('2,000 seeded random buffers: never a throw, always a result', async (t) => {
  const next = random(20251129);
  let failures = 0;
  for (let i = 0; i < 2000; i++) {
    const length = Math.floor(next() * 64);
    const bytes = Buffer.alloc(length);
    for (let j = 0; j < length; j++) bytes[j] = Math.floor(next() * 256);
    // Half of them look like frames, so the checks past the magic byte are exercised too.
    if (i % 2 === 0 && length > 1) {
      bytes[0] = 0xeb;
      bytes[1] = 0x01;
    }
    let result: DecodeResult | undefined;
    t.doesNotThrow(() => {
      result = decode(bytes);
    }, `buffer ${i}`);
    if (result && isDecodeFailure(result)) failures++;
  }
  t.ok(failures > 1990, `${failures} of 2,000 random buffers rejected`);
});

t.test('a frame above 500 reads is a schema error; 500 is fine', async (t) => {
  const reads = (n: number) => Array.from({ length: n }, (_, i) => ({ tag: i, rssi: -70, dt: i }));
  const full = decode(encodeTagFrame(TS, reads(MAX_READS_PER_BATCH)));
  t.ok(!isDecodeFailure(full) && full.data.length === 500, '500 reads decode');
  t.strictSame(decode(encodeTagFrame(TS, reads(MAX_READS_PER_BATCH + 1))), {
    reason: 'schema',
    errors: [{ path: 'reads', message: 'expected at most 500 reads per batch, got 501' }],
  });
});

t.test('the encoder refuses what a frame cannot carry', async (t) => {
  t.throws(() => encodeTagFrame(0, []), /baseTs must be epoch ms > 0/);
  t.throws(() => encodeTagFrame(TS, [{ tag: 'nope', rssi: -60 }]), /reads\[0\]\.tag/);
  t.throws(() => encodeTagFrame(TS, [{ tag: 1, rssi: -129 }]), /reads\[0\]\.rssi/);
  t.throws(() => encodeTagFrame(TS, [{ tag: 1, rssi: -60, dt: 65536 }]), /reads\[0\]\.dt/);
});
