/**
 * The last few encoded batches, so a page that lost its connection for a
 * moment gets what it missed instead of a whole snapshot. Bounded by count
 * and by bytes: one huge batch (a coverage change on a large road network)
 * pushes out old ones rather than growing memory.
 */
export class BatchRing {
  private readonly entries: { seq: number; frame: Buffer }[] = [];
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  push(seq: number, frame: Buffer): void {
    this.entries.push({ seq, frame });
    this.bytes += frame.length;
    while (this.entries.length > this.maxEntries || (this.bytes > this.maxBytes && this.entries.length > 1)) {
      this.bytes -= this.entries.shift()!.frame.length;
    }
  }

  /**
   * The frames after `since`, in order, when every one of them is still held;
   * `undefined` when some were already pushed out (the page needs a snapshot).
   * `latest` is the feed's current seq: `since === latest` means nothing was missed.
   */
  after(since: number, latest: number): Buffer[] | undefined {
    if (since === latest) return [];
    if (since > latest) return undefined;
    const first = this.entries[0];
    if (!first || first.seq > since + 1) return undefined;
    return this.entries.filter((e) => e.seq > since).map((e) => e.frame);
  }

  get size(): number {
    return this.entries.length;
  }
}
