import { connect as netConnect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';

/**
 * Many idle device connections in one process, as light as MQTT allows: a
 * raw socket per device that sends CONNECT (username/password, keepalive),
 * reads the CONNACK by hand and then only sends PINGREQ, spread over the
 * keepalive period. MQTT.js costs far more memory per connection; this is
 * the minimum a device stack keeps open. Run with `fork`; driven over IPC
 * (`RawCommand` in, `RawReport` out). Loopback only; every wait is bounded.
 */

export interface RawDevice {
  id: string;
  secret: string;
}

export type RawCommand =
  | { op: 'connect'; port: number; devices: RawDevice[]; concurrency: number; keepaliveSeconds: number; timeoutMs: number }
  | { op: 'status' }
  | { op: 'close' };

export interface RawReport {
  op: 'connected' | 'status' | 'closed' | 'failed';
  attempted?: number;
  connected?: number;
  failed?: number;
  /** Why connections failed, counted by reason. */
  errors?: Record<string, number>;
  elapsedMs?: number;
  /** Connections open now. */
  open?: number;
  /** Connections that had their CONNACK and closed since (the broker dropped them). */
  dropped?: number;
  pings?: number;
  message?: string;
}

const open = new Set<Socket>();
let dropped = 0;
let pings = 0;
let pingTimer: NodeJS.Timeout | undefined;
const PINGREQ = mqttPacket.generate({ cmd: 'pingreq' });

function send(report: RawReport): void {
  process.send?.(report);
}

/** One device: resolves with undefined once connected, or with the reason it failed. */
function connectOne(port: number, device: RawDevice, keepaliveSeconds: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    let header = Buffer.alloc(0);
    const socket = netConnect({ host: '127.0.0.1', port, noDelay: true });
    const finish = (reason: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (reason !== undefined) socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('connect', () => {
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          clientId: device.id,
          username: device.id,
          password: Buffer.from(device.secret),
          keepalive: keepaliveSeconds,
        }),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      if (settled) return; // PINGRESP and nothing else: read and forget
      header = Buffer.concat([header, chunk]);
      if (header.length < 4) return;
      if (header[0] !== 0x20) return finish(`unexpected packet 0x${header[0]!.toString(16)}`);
      if (header[3] !== 0) return finish(`CONNACK return code ${header[3]}`);
      open.add(socket);
      finish(undefined);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    socket.on('close', () => {
      if (open.delete(socket)) dropped++;
      finish('closed before CONNACK');
    });
  });
}

async function connectAll(command: Extract<RawCommand, { op: 'connect' }>): Promise<RawReport> {
  const started = performance.now();
  const errors: Record<string, number> = {};
  let connected = 0;
  let next = 0;
  // Pings start now: a long connect phase must not let the first connections' keepalive expire.
  startPings(command.keepaliveSeconds);
  const worker = async () => {
    while (next < command.devices.length) {
      const device = command.devices[next++]!;
      const failure = await connectOne(command.port, device, command.keepaliveSeconds, command.timeoutMs);
      if (failure === undefined) connected++;
      else errors[failure] = (errors[failure] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(command.concurrency, command.devices.length) }, worker));
  const failed = command.devices.length - connected;
  return { op: 'connected', attempted: command.devices.length, connected, failed, errors, elapsedMs: performance.now() - started, open: open.size };
}

/** Every open connection pings once per half keepalive; one timer, a slice of the sockets per second. */
function startPings(keepaliveSeconds: number): void {
  if (pingTimer) return;
  const slices = Math.max(1, Math.floor(keepaliveSeconds / 2));
  let tick = 0;
  pingTimer = setInterval(() => {
    let index = 0;
    for (const socket of open) {
      if (index++ % slices === tick % slices) {
        socket.write(PINGREQ);
        pings++;
      }
    }
    tick++;
  }, 1000);
}

function closeAll(): void {
  if (pingTimer) clearInterval(pingTimer);
  for (const socket of open) socket.destroy();
  open.clear();
}

process.on('message', (command: RawCommand) => {
  const handle = async () => {
    switch (command.op) {
      case 'connect':
        send(await connectAll(command));
        break;
      case 'status':
        send({ op: 'status', open: open.size, dropped, pings });
        break;
      case 'close':
        closeAll();
        send({ op: 'closed' });
        setTimeout(() => process.exit(0), 50);
    }
  };
  handle().catch((err: Error) => send({ op: 'failed', message: err.message }));
});
// The parent went away: do not linger holding thousands of sockets.
process.on('disconnect', () => {
  closeAll();
  process.exit(0);
});
