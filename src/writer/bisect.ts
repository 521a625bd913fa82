/**
 * Finding the bad lines of a refused batch by writing halves. Re-writing lines the server
 * already took (InfluxDB 1.x writes the good points of a "partial write") is harmless: a point
 * is identified by series + timestamp, so the second write overwrites it with the same values.
 * One bad line in n costs about 2·log2(n) requests (20 for 1,000 lines); every line bad, 2n.
 */

export type ChunkResult = { accepted: true } | { accepted: false; detail: string };

export interface RefusedLine {
  line: string;
  /** The server's reason, as given when this line was written alone. */
  detail: string;
}

/**
 * `lines` were refused as a whole with `detail`. Writes halves (left first, so points land
 * roughly in order) until every line was either accepted in some chunk or refused on its own.
 * `writeChunk` must resolve only with a verdict on the data: transient failures are its job to
 * retry, and it throws to abandon the search (the writer is stopping).
 */
export async function findRefusedLines(
  lines: readonly string[],
  detail: string,
  writeChunk: (chunk: readonly string[]) => Promise<ChunkResult>,
): Promise<RefusedLine[]> {
  const refused: RefusedLine[] = [];
  // Each entry was refused as a whole; split it, or record it when it is one line.
  const pending: { chunk: readonly string[]; detail: string }[] = [{ chunk: lines, detail }];
  while (pending.length > 0) {
    const { chunk, detail: chunkDetail } = pending.pop()!;
    if (chunk.length === 1) {
      refused.push({ line: chunk[0]!, detail: chunkDetail });
      continue;
    }
    if (chunk.length === 0) continue;
    const middle = Math.ceil(chunk.length / 2);
    const refusedHalves: { chunk: readonly string[]; detail: string }[] = [];
    for (const half of [chunk.slice(0, middle), chunk.slice(middle)]) {
      const result = await writeChunk(half);
      if (!result.accepted) refusedHalves.push({ chunk: half, detail: result.detail });
    }
    // Pushed right then left, so the left half is searched first.
    pending.push(...refusedHalves.reverse());
  }
  return refused;
}
