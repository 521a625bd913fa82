import { z } from 'zod';
import { decoded, isFailure, type ChannelDecoder } from '../codec.js';
import { envelopeShape, epochMs, integerIn } from '../fields.js';
import { capErrors } from '../issues.js';
import { decodeJson } from '../json.js';
import { ebikeTagRead } from '../measurements.js';
import type { DecodeError, Reading } from '../model.js';
import { reading } from '../reading.js';
import { MAX_READ_OFFSET_MS, MAX_READS_PER_BATCH, TAG_FRAME_MAGIC, parseTagFrame, type TagFrame } from './tag-frame.js';
import { tagIdOf, tagNumberOf } from './tag-id.js';

/**
 * Tag-read batches on `event`, in either format a reader speaks: the binary
 * frame (tag-frame.ts) or JSON
 * `{"ts":…, "reads":[{"tag":"T0001E240","rssi":-61,"dt":120}, …]}`.
 * Both become the same readings, one per sighting.
 */

const TAG_EXPECTED = 'expected tag number 0–4294967295 or "T" + 8 hex digits';

const tagSchema = z.unknown().transform((value, ctx) => {
  const tag = tagNumberOf(value);
  if (tag === undefined) {
    ctx.addIssue({ code: 'custom', message: TAG_EXPECTED });
    return z.NEVER;
  }
  return tag;
});

const readSchema = z
  .object({
    tag: tagSchema,
    rssi: integerIn(-128, 127),
    /** absolute device time of this read */
    ts: epochMs().optional(),
    /** ms after the batch's `ts`, as in the binary frame */
    dt: integerIn(0, MAX_READ_OFFSET_MS).optional(),
  })
  .strict();

const batchSchema = z
  .object({
    ...envelopeShape,
    backlog: z.boolean().optional(),
    reads: z.array(readSchema, { message: 'expected an array of reads' }).max(MAX_READS_PER_BATCH, { message: `expected at most ${MAX_READS_PER_BATCH} reads per batch` }),
  })
  .strict();

type Batch = z.infer<typeof batchSchema>;

export const decodeTagReads: ChannelDecoder = (bytes) => {
  if (bytes[0] === TAG_FRAME_MAGIC || !startsLikeJson(bytes)) {
    const parsed = parseTagFrame(bytes);
    return isFailure(parsed) ? parsed : decoded(readingsOfFrame(parsed.frame), parsed.warnings);
  }
  const result = decodeJson(bytes, batchSchema);
  if (isFailure(result)) return result;
  const errors = timeErrors(result.value);
  if (errors.length > 0) return { reason: 'schema', errors: capErrors(errors) };
  return decoded(readingsOfBatch(result.value), result.warnings);
};

/** Whitespace-only goes to JSON too: "unexpected end of JSON input" says more than "bad magic 0x20". */
function startsLikeJson(bytes: Buffer): boolean {
  const first = bytes.find((byte) => byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d);
  return first === undefined ? bytes.length > 0 : first === 0x7b || first === 0x5b;
}

function readingsOfFrame(frame: TagFrame): Reading[] {
  return frame.reads.map((read) =>
    reading(ebikeTagRead, 'tag_read', {
      ts: frame.baseTs + read.dt,
      fields: { tag: tagIdOf(read.tag), rssi: read.rssi, backlog: frame.backlog || undefined },
    }),
  );
}

function timeErrors(batch: Batch): DecodeError[] {
  const errors: DecodeError[] = [];
  batch.reads.forEach((read, i) => {
    if (read.ts !== undefined && read.dt !== undefined) errors.push({ path: `reads.${i}.dt`, message: 'give a read ts or dt, not both' });
    else if (read.dt !== undefined && batch.ts === undefined) errors.push({ path: `reads.${i}.dt`, message: 'dt is ms after the batch ts, and the batch has no ts' });
  });
  return errors;
}

function readingsOfBatch(batch: Batch): Reading[] {
  return batch.reads.map((read) =>
    reading(ebikeTagRead, 'tag_read', {
      ts: read.ts ?? (batch.ts !== undefined ? batch.ts + (read.dt ?? 0) : undefined),
      fields: { tag: tagIdOf(read.tag), rssi: read.rssi, backlog: batch.backlog || undefined, msg_id: batch.id },
    }),
  );
}
