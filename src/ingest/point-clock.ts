/**
 * Turns millisecond times into unique nanosecond timestamps. InfluxDB keeps
 * one point per series and timestamp, so two readings of one device in the
 * same millisecond (a batch of tag reads, a burst of swipes) would overwrite
 * each other; a rolling sub-millisecond counter keeps them apart. The stamp is
 * fixed when the line is written to the outbox, so a replay after a crash
 * writes the very same point again instead of a duplicate.
 */
export class PointClock {
  private counter = Math.floor(Math.random() * 1_000_000);

  stamp(ms: number): bigint {
    this.counter = (this.counter + 1) % 1_000_000;
    return BigInt(Math.trunc(ms)) * 1_000_000n + BigInt(this.counter);
  }
}
