import t from 'tap';
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';
import type { LoadCommand, LoadDevice, LoadReport } from '../../simulators/load-generator.js';
import { LeanMqttClient, PacketReader, encodeTopic, remainingLengthSize, writeRemainingLength } from '../../simulators/lean-mqtt.js';

const SECRETS: Record<string, string> = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`dev-${i}`, `secret-${i}`]));

async function broker(): Promise<{ port: number; aedes: Aedes; close(): Promise<void> }> {
  const aedes = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => done(null, username !== undefined && SECRETS[username] === password?.toString()),
  });
  const server = createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    aedes,
    close: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** As bench/ingest.ts drives it: a forked child, one request answered by one report. */
class Generator {
  private readonly child: ChildProcess;
  private waiting?: (report: LoadReport) => void;

  constructor() {
    this.child = fork(fileURLToPath(new URL('../../simulators/load-generator.ts', import.meta.url)), { execArgv: ['--import', 'tsx'] });
    this.child.on('message', (report: LoadReport) => this.waiting?.(report));
  }

  /** Resolves with every report, `failed` included, so the test can look at it. */
  request(command: LoadCommand): Promise<LoadReport> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.child.send(command);
    });
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

const devices: LoadDevice[] = Object.keys(SECRETS).map((id) => ({
  id,
  topic: `testvillage/${id}/event`,
  payloads: ['{"event":"motion","ts":"__TS__","id":"__ID__"}', '{"event":"tamper","zone":"é","ts":"__TS__","id":"__ID__"}'],
}));

t.test('2 s at 1,000 msg/s over 5 devices: every message acknowledged, and received as sent', async (t) => {
  const b = await broker();
  t.teardown(() => b.close());
  const received: { clientId: string; topic: string; payload: string }[] = [];
  b.aedes.on('publish', (packet, client) => {
    if (client) received.push({ clientId: client.id, topic: packet.topic, payload: packet.payload.toString() });
  });
  const generator = new Generator();
  t.teardown(() => generator.stop());

  const connected = await generator.request({ op: 'connect', url: `mqtt://127.0.0.1:${b.port}`, devices, secrets: SECRETS });
  t.equal(connected.op, 'connected', connected.message ?? '');
  const startedAt = Date.now();
  const report = await generator.request({ op: 'run', ratePerSecond: 1_000, durationMs: 2_000, idPrefix: 'lg-', maxInFlightPerDevice: 20, latencySampleEvery: 10 });
  t.equal(report.op, 'ran', report.message ?? '');
  const sent = report.sent ?? 0;
  t.ok(sent > 1_500 && sent <= 2_100, `about 2,000 sent (${sent})`);
  t.equal(report.acked, sent, 'every message acknowledged');
  t.equal(report.failed, 0);
  t.ok((report.latenciesMs?.length ?? 0) >= sent / 10 - 1, `latencies sampled (${report.latenciesMs?.length})`);
  t.ok(report.latenciesMs!.every((ms) => ms >= 0 && ms < 2_000));

  // Acknowledged means the broker has it; allow the event loop a turn for the last events.
  for (let i = 0; i < 50 && received.length < sent; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(received.length, sent, 'the broker received exactly what was sent');
  const ids = new Set<string>();
  let wrong = 0;
  for (const { clientId, topic, payload } of received) {
    const body = JSON.parse(payload) as { ts: unknown; id: unknown; event: unknown };
    const ok =
      topic === `testvillage/${clientId}/event` &&
      typeof body.ts === 'number' &&
      body.ts >= startedAt &&
      body.ts <= Date.now() &&
      typeof body.id === 'string' &&
      body.id.startsWith(`lg-${clientId}-`) &&
      /^\d+$/.test(body.id.slice(`lg-${clientId}-`.length));
    if (!ok) wrong++;
    ids.add(body.id as string);
  }
  t.equal(wrong, 0, 'topics are the devices\' and "__TS__"/__ID__ are filled');
  t.equal(ids.size, sent, 'every message has its own id');
  t.ok(received.some((r) => r.payload.includes('"zone":"é"')), 'UTF-8 payloads are intact');
  t.same(new Set(received.map((r) => r.clientId)), new Set(Object.keys(SECRETS)), 'round-robin over all devices');

  const closed = await generator.request({ op: 'close' });
  t.equal(closed.op, 'closed');
});

t.test('a wrong password fails connect, naming the device and the CONNACK return code', async (t) => {
  const b = await broker();
  t.teardown(() => b.close());
  const generator = new Generator();
  t.teardown(() => generator.stop());
  const report = await generator.request({
    op: 'connect',
    url: `mqtt://127.0.0.1:${b.port}`,
    devices,
    secrets: { ...SECRETS, 'dev-3': 'wrong' },
  });
  t.equal(report.op, 'failed');
  t.match(report.message, /dev-3/);
  t.match(report.message, /return code 5/);
});

t.test('the packet reader: split, coalesced and long frames', async (t) => {
  const packets: [number, string][] = [];
  const reader = new PacketReader((header, body) => packets.push([header, body.toString('hex')]));
  reader.push(Buffer.from([0x40]));
  reader.push(Buffer.from([0x02, 0x00, 0x07]));
  t.same(packets, [[0x40, '0007']], 'a PUBACK split after its first byte');
  reader.push(Buffer.from([0x40, 0x02, 0x00, 0x08, 0x40, 0x02, 0x01, 0x00, 0x40, 0x02]));
  t.same(packets.slice(1), [[0x40, '0008'], [0x40, '0100']], 'two PUBACKs in one chunk (and a third begun)');
  reader.push(Buffer.from([0x00, 0x09, 0xd0, 0x00]));
  t.same(packets.slice(3), [[0x40, '0009'], [0xd0, '']], 'the third finished, then a PINGRESP');

  // A 200-byte PUBLISH (2-byte remaining length), fed one byte at a time, then a PUBACK.
  const body = Buffer.alloc(200, 0xab);
  const frame = Buffer.concat([Buffer.from([0x30, 0xc8, 0x01]), body, Buffer.from([0x40, 0x02, 0x00, 0x0a])]);
  for (const byte of frame) reader.push(Buffer.from([byte]));
  t.same(packets.slice(5), [[0x30, body.toString('hex')], [0x40, '000a']]);

  t.throws(() => new PacketReader(() => undefined).push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])), /malformed/);

  for (const length of [0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455]) {
    const buf = Buffer.alloc(4);
    const end = writeRemainingLength(buf, 0, length);
    t.equal(end, remainingLengthSize(length), `${length} takes ${end} bytes`);
    let value = 0;
    for (let i = end - 1; i >= 0; i--) value = value * 128 + (buf[i]! & 0x7f);
    t.equal(value, length);
  }
  // A 3-byte remaining length through the reader, split inside the length itself.
  const big = Buffer.alloc(1 + 3 + 16_384, 0x61);
  big[0] = 0x30;
  writeRemainingLength(big, 1, 16_384);
  const bigPackets: number[] = [];
  const bigReader = new PacketReader((_header, body) => bigPackets.push(body.length));
  bigReader.push(big.subarray(0, 2));
  bigReader.push(big.subarray(2, 9_000));
  bigReader.push(big.subarray(9_000));
  t.same(bigPackets, [16_384]);
});

/** A hand-written peer: whatever `onData` does with each chunk the client sends. */
async function rawPeer(onData: (socket: Socket, chunk: Buffer) => void): Promise<{ port: number; server: Server }> {
  // Half-open allowed: the peer does not close its side when the client ends, as a stuck broker would not.
  const server = createServer({ allowHalfOpen: true }, (socket) => socket.on('data', (chunk) => onData(socket, chunk)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

t.test('the client: unknown PUBACKs and stray packets ignored, a dropped connection fails every publish, end() never hangs', async (t) => {
  let dropNext = false;
  const sockets = new Set<Socket>();
  const peer = await rawPeer((socket, chunk) => {
    sockets.add(socket);
    if (chunk[0] === 0x10) return void socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    if (chunk[0] !== 0x32) return; // DISCONNECT, PINGREQ: a peer that never answers
    if (dropNext) return void socket.destroy();
    const rl = chunk[1]!; // small test publishes: 1-byte remaining length, one per chunk
    const topicLength = chunk.readUInt16BE(2);
    const id = chunk.readUInt16BE(4 + topicLength);
    t.equal(rl, chunk.length - 2);
    // A stray QoS 0 PUBLISH, a PUBACK for an id never used, then the real one a byte at a time.
    socket.write(Buffer.from([0x30, 0x05, 0x00, 0x01, 0x78, 0x68, 0x69, 0x40, 0x02, 0xff, 0xfe]));
    const ack = Buffer.from([0x40, 0x02, id >> 8, id & 0xff]);
    for (let i = 0; i < ack.length; i++) setTimeout(() => socket.write(ack.subarray(i, i + 1)), i * 5);
  });
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    peer.server.close();
  });

  const client = await LeanMqttClient.connect({ host: '127.0.0.1', port: peer.port, clientId: 'raw-1', username: 'raw-1', password: 'x' });
  const topic = encodeTopic('a/b');
  const publish = (payload: string) => new Promise<Error | undefined>((resolve) => client.publish(topic, payload, resolve));
  t.equal(await publish('one'), undefined, 'acknowledged');
  t.equal(await publish('two'), undefined, 'acknowledged again');
  t.equal(client.inFlight, 0);

  dropNext = true;
  const dropped = await publish('three');
  t.match(dropped?.message, /raw-1: connection closed/, 'in flight when the peer dropped: an error, not a hang');
  const after = await publish('four');
  t.ok(after instanceof Error, 'a publish after the drop fails at once');

  // A peer that never answers DISCONNECT nor closes: end() still finishes.
  dropNext = false;
  const second = await LeanMqttClient.connect({ host: '127.0.0.1', port: peer.port, clientId: 'raw-2' });
  const started = performance.now();
  await second.end();
  t.ok(performance.now() - started < 1_500, `end() finished in ${Math.round(performance.now() - started)} ms`);

  const refused = await LeanMqttClient.connect({ host: '127.0.0.1', port: 1, clientId: 'raw-3' }).catch((err: Error) => err);
  t.match((refused as Error).message, /raw-3: connection closed before CONNACK/);
});
