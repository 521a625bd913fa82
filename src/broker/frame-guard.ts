/**
 * Follows MQTT framing on the raw byte stream and reports a packet whose
 * declared Remaining Length exceeds the limit as soon as its header arrives,
 * before the parser buffers it (MQTT-2.2.3: the length is a variable byte
 * integer of at most four bytes). aedes has no packet size limit of its own.
 */
export class FrameSizeGuard {
  private state: 'header' | 'length' | 'body' = 'header';
  private remaining = 0;
  private multiplier = 1;
  private lengthBytes = 0;

  constructor(readonly maxPacketBytes: number) {}

  /** Returns the declared size of the first oversize packet in this chunk, or 0 if all is well. */
  feed(chunk: Buffer): number {
    let offset = 0;
    while (offset < chunk.length) {
      switch (this.state) {
        case 'header':
          offset++;
          this.state = 'length';
          this.remaining = 0;
          this.multiplier = 1;
          this.lengthBytes = 0;
          break;
        case 'length': {
          const byte = chunk[offset++]!;
          this.remaining += (byte & 0x7f) * this.multiplier;
          this.multiplier *= 128;
          this.lengthBytes++;
          if (this.lengthBytes > 4) return Number.MAX_SAFE_INTEGER; // malformed length: MQTT-1.5.5
          if ((byte & 0x80) === 0) {
            if (this.remaining + 1 + this.lengthBytes > this.maxPacketBytes) {
              return this.remaining + 1 + this.lengthBytes;
            }
            this.state = this.remaining === 0 ? 'header' : 'body';
          }
          break;
        }
        case 'body': {
          const take = Math.min(this.remaining, chunk.length - offset);
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'header';
          break;
        }
      }
    }
    return 0;
  }
}
