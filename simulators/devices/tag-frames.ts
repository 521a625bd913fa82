import { encodeTagFrame } from '../../devices/index.js';
import { MAX_READ_OFFSET_MS, MAX_READS_PER_BATCH } from '../../devices/tagway/tag-frame.js';

/** One sighting as the reader's radio saw it: tag number, RSSI, device time. */
export interface TimedRead {
  tag: number;
  rssi: number;
  at: number;
  /** Read while the uplink was down. */
  backlog: boolean;
}

/**
 * Packs reads into tagway/r500 binary frames (devices/tagway/tag-frame.ts):
 * in time order, at most 500 reads a frame, each read within 65,535 ms of
 * its frame's base time (the offset is 16 bits), and backlog reads in frames
 * of their own (the flag is per frame).
 */
export function tagFrames(reads: readonly TimedRead[]): Buffer[] {
  const frames: Buffer[] = [];
  for (const backlog of [true, false]) {
    const group = reads.filter((read) => read.backlog === backlog).sort((a, b) => a.at - b.at);
    let start = 0;
    while (start < group.length) {
      const base = group[start]!.at;
      let end = start;
      while (end < group.length && end - start < MAX_READS_PER_BATCH && group[end]!.at - base <= MAX_READ_OFFSET_MS) end += 1;
      frames.push(encodeTagFrame(base, group.slice(start, end).map((read) => ({ tag: read.tag, rssi: read.rssi, dt: read.at - base })), { backlog }));
      start = end;
    }
  }
  return frames;
}
