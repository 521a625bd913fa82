import { connect as netConnect, type Socket } from 'node:net';

/**
 * A minimal MQTT 3.1.1 publisher for the load generator: CONNECT, QoS 1
 * PUBLISH, PUBACK, PINGREQ, DISCONNECT and nothing else. MQTT.js spends
 * ~16 µs of CPU per publish, and the generator shares the machine with the
 * gateway it measures; here a publish is one Buffer and one write.
 */

const CONNECT_TIMEOUT_MS = 10_000;
const KEEPALIVE_SECONDS = 60;
// Half the keepalive: a late timer still lands well inside the broker's 1.5 × keepalive grace.
const PING_EVERY_MS = 30_000;
const END_GRACE_MS = 1_000;
const MAX_REMAINING_LENGTH = 268_435_455;

// Shared by every connection: each read is parsed to the end before the next can arrive (PacketReader copies what it keeps).
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const PINGREQ = Buffer.from([0xc0, 0x00]);
const DISCONNECT = Buffer.from([0xe0, 0x00]);

const CONNACK_REASONS: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

/** Bytes needed for a remaining length (1..4). */
export function remainingLengthSize(length: number): number {
  if (length < 128) return 1;
  if (length < 16_384) return 2;
  if (length < 2_097_152) return 3;
  return 4;
}

/** Writes the variable-length remaining length at `offset`; returns the offset after it. */
export function writeRemainingLength(buf: Buffer, offset: number, length: number): number {
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    buf[offset++] = byte;
  } while (length > 0);
  return offset;
}

/** A topic as it goes on the wire (2-byte length + UTF-8), so a device's topic is encoded once, not per message. */
export function encodeTopic(topic: string): Buffer {
  const length = Buffer.byteLength(topic, 'utf8');
  if (length > 0xffff) throw new Error(`topic too long (${length} bytes)`);
  const buf = Buffer.allocUnsafe(2 + length);
  buf.writeUInt16BE(length, 0);
  buf.write(topic, 2, 'utf8');
  return buf;
}

/**
 * Cuts a TCP byte stream into MQTT packets: a packet may arrive split over
 * several chunks, and one chunk may hold several packets. `onPacket` gets the
 * first header byte and the body (valid only during the call).
 */
export class PacketReader {
  private pending: Buffer | undefined;

  constructor(private readonly onPacket: (header: number, body: Buffer) => void) {}

  /** Throws on a malformed remaining length (the stream cannot be resynchronised after that). */
  push(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let offset = 0;
    while (offset < buf.length) {
      let length = 0;
      let multiplier = 1;
      let i = offset + 1;
      let complete = false;
      for (let n = 0; n < 4 && i < buf.length; n++) {
        const byte = buf[i++]!;
        length += (byte & 0x7f) * multiplier;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
        multiplier *= 128;
      }
      if (!complete) {
        if (i - offset - 1 >= 4) throw new Error('malformed remaining length');
        break;
      }
      if (i + length > buf.length) break;
      const start = offset;
      offset = i + length;
      this.onPacket(buf[start]!, buf.subarray(i, offset));
    }
    // Copy the tail: a subarray would keep the whole chunk alive until the packet completes.
    if (offset < buf.length) this.pending = Buffer.from(buf.subarray(offset));
  }
}

/**
 * Collects the sockets written during one tick of a pacing loop: each is
 * corked at its first write and all are uncorked by `flush()`, so a tick
 * costs one write syscall per connection instead of one per message.
 */
export class WriteBatch {
  private active = false;
  private readonly corked: Socket[] = [];

  begin(): void {
    this.active = true;
  }

  /** Called before each write: outside begin()…flush() writes go straight out. */
  hold(socket: Socket): void {
    if (!this.active || socket.writableCorked > 0) return;
    socket.cork();
    this.corked.push(socket);
  }

  flush(): void {
    this.active = false;
    for (const socket of this.corked) socket.uncork();
    this.corked.length = 0;
  }
}

export interface LeanMqttOptions {
  host: string;
  port: number;
  clientId: string;
  username?: string;
  password?: string;
  /** Writes made between `batch.begin()` and `batch.flush()` leave together. */
  batch?: WriteBatch;
  connectTimeoutMs?: number;
}

export type PublishCallback = (err?: Error) => void;

export class LeanMqttClient {
  private readonly socket: Socket;
  private readonly reader: PacketReader;
  private readonly batch: WriteBatch | undefined;
  /** Callbacks by packet identifier (a Map: a 65,536-slot array per connection would cost 512 KB each). */
  private readonly waiting = new Map<number, PublishCallback>();
  private nextId = 1;
  private state: 'connecting' | 'connected' | 'closed' = 'connecting';
  private closedError: Error | undefined;
  private lastSocketError: Error | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private readonly closed: Promise<void>;
  private connackSettle: ((err?: Error) => void) | undefined;

  private constructor(private readonly options: LeanMqttOptions) {
    this.batch = options.batch;
    this.reader = new PacketReader((header, body) => this.onPacket(header, body));
    this.socket = netConnect({
      host: options.host,
      port: options.port,
      noDelay: true,
      // Reads land in one shared buffer instead of a new Buffer and a 'data' event per chunk:
      // PUBACKs arrive in many small reads (about a fifth less generator CPU at 2,000 msg/s).
      onread: {
        buffer: READ_BUFFER,
        callback: (length: number, buf: Uint8Array) => {
          try {
            this.reader.push(Buffer.from(buf.buffer, buf.byteOffset, length));
          } catch (err) {
            this.socket.destroy(err as Error);
          }
          return true;
        },
      },
    });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => this.socket.write(this.connectPacket()));
    this.socket.on('error', (err) => (this.lastSocketError = err));
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('close', () => this.onClose());
  }

  /** Resolves once the broker accepted the connection (CONNACK 0). */
  static connect(options: LeanMqttOptions): Promise<LeanMqttClient> {
    const client = new LeanMqttClient(options);
    const timeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        settle(new Error(`${options.clientId}: no CONNACK within ${timeoutMs} ms (no return code)`));
        client.socket.destroy();
      }, timeoutMs);
      const settle = (err?: Error) => {
        if (!client.connackSettle) return;
        client.connackSettle = undefined;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(client);
      };
      client.connackSettle = settle;
    });
  }

  get clientId(): string {
    return this.options.clientId;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** Publishes awaiting their PUBACK. */
  get inFlight(): number {
    return this.waiting.size;
  }

  /**
   * QoS 1 publish; `cb` runs once, on PUBACK or with an error if the
   * connection is (or goes) away. `topic` is best given pre-encoded (`encodeTopic`).
   */
  publish(topic: Buffer | string, payload: string, cb: PublishCallback): void {
    if (this.state !== 'connected' || this.socket.destroyed) {
      const err = this.closedError ?? new Error(`${this.options.clientId}: not connected`);
      process.nextTick(cb, err);
      return;
    }
    if (this.waiting.size >= 65_535) {
      process.nextTick(cb, new Error(`${this.options.clientId}: all 65535 packet identifiers in flight`));
      return;
    }
    const topicBytes = typeof topic === 'string' ? encodeTopic(topic) : topic;
    const payloadLength = Buffer.byteLength(payload, 'utf8');
    const remaining = topicBytes.length + 2 + payloadLength;
    if (remaining > MAX_REMAINING_LENGTH) {
      process.nextTick(cb, new Error(`${this.options.clientId}: publish of ${payloadLength} bytes exceeds the MQTT maximum`));
      return;
    }
    let id = this.nextId;
    while (this.waiting.has(id)) id = id === 65_535 ? 1 : id + 1;
    this.nextId = id === 65_535 ? 1 : id + 1;

    const buf = Buffer.allocUnsafe(1 + remainingLengthSize(remaining) + remaining);
    buf[0] = 0x32; // PUBLISH, QoS 1, no DUP, no RETAIN
    let offset = writeRemainingLength(buf, 1, remaining);
    offset += topicBytes.copy(buf, offset);
    offset = buf.writeUInt16BE(id, offset);
    buf.write(payload, offset, 'utf8');

    this.waiting.set(id, cb);
    this.write(buf);
  }

  /** Sends DISCONNECT and closes; resolves when the socket is closed, at most ~1 s later if the peer never answers. */
  end(): Promise<void> {
    if (this.state !== 'closed' && !this.socket.destroyed) {
      if (this.state === 'connected') this.socket.write(DISCONNECT);
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), END_GRACE_MS);
      timer.unref();
      void this.closed.then(() => clearTimeout(timer));
    }
    return this.closed;
  }

  private write(buf: Buffer): void {
    this.batch?.hold(this.socket);
    this.socket.write(buf);
  }

  private connectPacket(): Buffer {
    const { clientId, username, password } = this.options;
    const fields = [clientId, username, password].filter((f): f is string => f !== undefined).map((f) => Buffer.from(f, 'utf8'));
    let flags = 0x02; // clean session
    if (username !== undefined) flags |= 0x80;
    if (password !== undefined) flags |= 0x40;
    const remaining = 10 + fields.reduce((n, f) => n + 2 + f.length, 0);
    const buf = Buffer.allocUnsafe(1 + remainingLengthSize(remaining) + remaining);
    buf[0] = 0x10;
    let offset = writeRemainingLength(buf, 1, remaining);
    offset = buf.writeUInt16BE(4, offset);
    offset += buf.write('MQTT', offset, 'utf8');
    buf[offset++] = 4; // protocol level 3.1.1
    buf[offset++] = flags;
    offset = buf.writeUInt16BE(KEEPALIVE_SECONDS, offset);
    for (const field of fields) {
      offset = buf.writeUInt16BE(field.length, offset);
      offset += field.copy(buf, offset);
    }
    return buf;
  }

  private onPacket(header: number, body: Buffer): void {
    switch (header >> 4) {
      case 4: {
        // PUBACK; one for an id we are not waiting for (a duplicate, a stale one) is ignored.
        if (body.length < 2) return;
        const id = body.readUInt16BE(0);
        const cb = this.waiting.get(id);
        if (cb === undefined) return;
        this.waiting.delete(id);
        cb();
        return;
      }
      case 2: {
        // CONNACK
        if (this.state !== 'connecting') return;
        const code = body.length >= 2 ? body[1]! : -1;
        if (code === 0) {
          this.state = 'connected';
          this.pingTimer = setInterval(() => {
            if (!this.socket.destroyed) this.socket.write(PINGREQ);
          }, PING_EVERY_MS);
          this.pingTimer.unref();
          this.connackSettle?.();
        } else {
          const reason = CONNACK_REASONS[code] ?? 'unknown';
          this.connackSettle?.(new Error(`${this.options.clientId}: connection refused, CONNACK return code ${code} (${reason})`));
          this.socket.destroy();
        }
        return;
      }
      default:
        // PINGRESP, or anything else a broker may send (we never subscribe): skipped.
        return;
    }
  }

  private onClose(): void {
    const wasConnecting = this.state === 'connecting';
    this.state = 'closed';
    if (this.pingTimer) clearInterval(this.pingTimer);
    const cause = this.lastSocketError ? `: ${this.lastSocketError.message}` : '';
    this.closedError = new Error(`${this.options.clientId}: connection closed${cause}`);
    if (wasConnecting) this.connackSettle?.(new Error(`${this.options.clientId}: connection closed before CONNACK (no return code)${cause}`));
    const err = this.closedError;
    const callbacks = [...this.waiting.values()];
    this.waiting.clear();
    for (const cb of callbacks) cb(err);
  }
}
