/**
 * A Map with a size bound that forgets the least recently written entry.
 * Insertion order is recency order (every write re-inserts), which also lets
 * the expiry sweep stop at the first entry that is still fresh instead of
 * walking every group of a 30k-device village each second.
 */
export class BoundedMap<V> {
  private readonly entries = new Map<string, V>();
  /** Entries dropped because the bound was reached (exported as a metric by the caller). */
  evicted = 0;

  constructor(readonly maxSize: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Stores and marks as most recent. */
  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxSize) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) {
        this.entries.delete(oldest.value);
        this.evicted += 1;
      }
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries.entries();
  }

  /** Deletes from the least recent end while `isStale` holds; returns how many went. */
  dropStale(isStale: (value: V) => boolean): number {
    let dropped = 0;
    for (const [key, value] of this.entries) {
      if (!isStale(value)) break;
      this.entries.delete(key);
      dropped += 1;
    }
    return dropped;
  }
}
