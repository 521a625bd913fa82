import { crc16CcittFalse } from '../crc16.js';
import { hexByte, malformed } from '../codec.js';
import type { DecodeFailure } from '../model.js';
import { MAX_TAG_NUMBER, tagNumberOf } from './tag-id.js';

/**
 * The compact tag-read frame, version 1. A busy reader sees hundreds of tags
 * a minute; as JSON a read costs ~40 bytes, here 7. All integers big-endian.
 *
 * | offset  | bytes | field                                                    |
 * |---------|-------|----------------------------------------------------------|
 * | 0       | 1     | magic 0xEB                                               |
 * | 1       | 1     | version 0x01                                             |
 * | 2       | 1     | flags: bit 0 backlog (reads buffered during an outage);  |
 * |         |       | bits 1–7 reserved, sent as 0                             |
 * | 3       | 8     | base time, epoch ms, uint64                              |
 * | 11      | 2     | N = number of reads, uint16 (at most 500 accepted)       |
 * | 13 + 7i | 4     | read i: tag number, uint32 (id "T" + 8 hex digits)       |
 * | 17 + 7i | 1     | read i: RSSI dBm, int8                                   |
 * | 18 + 7i | 2     | read i: ms after base time, uint16 (0–65535)             |
 * | 13 + 7N | 2     | CRC-16/CCITT-FALSE over bytes 0 … 12 + 7N                |
 *
 * Length is always 15 + 7N bytes, so a frame checks its own size.
 */

export const TAG_FRAME_MAGIC = 0xeb;
export const TAG_FRAME_VERSION = 1;
export const TAG_FRAME_FLAG_BACKLOG = 0x01;
/** Keeps a frame under 3.6 KB and one message's InfluxDB batch small; readers flush more often instead. */
export const MAX_READS_PER_BATCH = 500;
export const MAX_READ_OFFSET_MS = 0xffff;

const HEADER_BYTES = 13;
const READ_BYTES = 7;
const CRC_BYTES = 2;

export interface FrameRead {
  /** Tag number (uint32); its id is `tagIdOf(tag)`. */
  tag: number;
  rssi: number;
  /** ms after the frame's base time */
  dt: number;
}

export interface TagFrame {
  backlog: boolean;
  baseTs: number;
  reads: FrameRead[];
}

export interface ParsedTagFrame {
  frame: TagFrame;
  warnings: string[];
}

export function tagFrameLength(reads: number): number {
  return HEADER_BYTES + READ_BYTES * reads + CRC_BYTES;
}

/**
 * Checks structure before content: magic, version, size against the read
 * count, CRC (all `malformed`: the bytes are not a frame), then the values a
 * well-formed frame may still get wrong (`schema`).
 */
export function parseTagFrame(bytes: Buffer): ParsedTagFrame | DecodeFailure {
  if (bytes.length === 0) return malformed('payload is empty (0 bytes)');
  if (bytes[0] !== TAG_FRAME_MAGIC) {
    return malformed(`bad magic byte ${hexByte(bytes[0]!)}: a tag frame starts with 0xEB (a JSON payload with "{")`);
  }
  if (bytes.length >= 2 && bytes[1] !== TAG_FRAME_VERSION) {
    return malformed(`unsupported frame version ${bytes[1]}; this model reads version ${TAG_FRAME_VERSION}`);
  }
  const shortest = tagFrameLength(0);
  if (bytes.length < shortest) {
    return malformed(`frame is ${bytes.length} bytes; a tag frame has at least ${shortest} (13-byte header, 2-byte CRC)`);
  }
  const count = bytes.readUInt16BE(11);
  const expected = tagFrameLength(count);
  if (bytes.length !== expected) {
    return malformed(`frame length ${bytes.length} does not match ${count} read${count === 1 ? '' : 's'} (expected ${expected} bytes)`);
  }
  const sent = bytes.readUInt16BE(expected - CRC_BYTES);
  const computed = crc16CcittFalse(bytes, 0, expected - CRC_BYTES);
  if (sent !== computed) return malformed(`CRC mismatch: frame says ${hex16(sent)}, computed ${hex16(computed)}`);

  const baseTs = bytes.readBigUInt64BE(3);
  if (baseTs === 0n || baseTs > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { reason: 'schema', errors: [{ path: 'ts', message: `expected epoch milliseconds (integer > 0), got ${baseTs}` }] };
  }
  if (count > MAX_READS_PER_BATCH) {
    return { reason: 'schema', errors: [{ path: 'reads', message: `expected at most ${MAX_READS_PER_BATCH} reads per batch, got ${count}` }] };
  }

  const flags = bytes[2]!;
  const warnings = flags & ~TAG_FRAME_FLAG_BACKLOG ? [`ignored reserved flag bits ${hexByte(flags & ~TAG_FRAME_FLAG_BACKLOG)}`] : [];
  const reads: FrameRead[] = [];
  for (let i = 0, at = HEADER_BYTES; i < count; i++, at += READ_BYTES) {
    reads.push({ tag: bytes.readUInt32BE(at), rssi: bytes.readInt8(at + 4), dt: bytes.readUInt16BE(at + 5) });
  }
  return { frame: { backlog: (flags & TAG_FRAME_FLAG_BACKLOG) !== 0, baseTs: Number(baseTs), reads }, warnings };
}

export interface TagReadToEncode {
  /** Tag number or id ("T0001E240"). */
  tag: number | string;
  /** dBm, −128…127 */
  rssi: number;
  /** ms after `baseTs`, 0…65535; default 0 */
  dt?: number;
}

/** Builds a frame as a reader would; simulators and tests use it. Throws on values a frame cannot carry. */
export function encodeTagFrame(baseTs: number, reads: readonly TagReadToEncode[], options: { backlog?: boolean } = {}): Buffer {
  if (!Number.isSafeInteger(baseTs) || baseTs <= 0) throw new RangeError(`encodeTagFrame: baseTs must be epoch ms > 0, got ${baseTs}`);
  if (reads.length > 0xffff) throw new RangeError(`encodeTagFrame: at most 65535 reads fit a frame, got ${reads.length}`);
  const frame = Buffer.alloc(tagFrameLength(reads.length));
  frame[0] = TAG_FRAME_MAGIC;
  frame[1] = TAG_FRAME_VERSION;
  frame[2] = options.backlog ? TAG_FRAME_FLAG_BACKLOG : 0;
  frame.writeBigUInt64BE(BigInt(baseTs), 3);
  frame.writeUInt16BE(reads.length, 11);
  reads.forEach((read, i) => {
    const at = HEADER_BYTES + READ_BYTES * i;
    const tag = tagNumberOf(read.tag);
    if (tag === undefined) throw new RangeError(`encodeTagFrame: reads[${i}].tag must be 0…${MAX_TAG_NUMBER} or "T" + 8 hex digits, got ${String(read.tag)}`);
    const dt = read.dt ?? 0;
    if (!Number.isInteger(read.rssi) || read.rssi < -128 || read.rssi > 127) throw new RangeError(`encodeTagFrame: reads[${i}].rssi must be an integer −128…127, got ${read.rssi}`);
    if (!Number.isInteger(dt) || dt < 0 || dt > MAX_READ_OFFSET_MS) throw new RangeError(`encodeTagFrame: reads[${i}].dt must be an integer 0…65535, got ${dt}`);
    frame.writeUInt32BE(tag, at);
    frame.writeInt8(read.rssi, at + 4);
    frame.writeUInt16BE(dt, at + 5);
  });
  frame.writeUInt16BE(crc16CcittFalse(frame, 0, frame.length - CRC_BYTES), frame.length - CRC_BYTES);
  return frame;
}

function hex16(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(4, '0')}`;
}
