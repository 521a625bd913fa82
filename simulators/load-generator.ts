import { LeanMqttClient, WriteBatch, encodeTopic } from './lean-mqtt.js';

/**
 * A QoS 1 load generator, run as a child process (`fork`) so that its CPU is
 * not the gateway's. It paces publishes to a target rate over many device
 * connections, caps the messages in flight per connection (as a real device's
 * MQTT stack does), and measures publish → PUBACK latency.
 *
 * Protocol over IPC: parent sends `LoadCommand`s, child answers `LoadReport`s.
 * Only loopback addresses are accepted, every run is bounded in time.
 *
 * The transport is lean-mqtt.ts, not MQTT.js: the generator shares the CPU
 * with the gateway under test, so its own cost per message must stay small.
 */

export interface LoadDevice {
  id: string;
  topic: string;
  /** Payload templates: `{"ts":…,"id":…}` are filled in per message. JSON only. */
  payloads: string[];
}

export type LoadCommand =
  | { op: 'connect'; url: string; devices: LoadDevice[]; secrets: Record<string, string> }
  | { op: 'run'; ratePerSecond: number; durationMs: number; idPrefix: string; maxInFlightPerDevice: number; latencySampleEvery: number }
  | { op: 'close' };

export interface LoadReport {
  op: 'connected' | 'ran' | 'closed' | 'failed';
  sent?: number;
  acked?: number;
  failed?: number;
  /** publish → PUBACK in ms, sampled */
  latenciesMs?: number[];
  elapsedMs?: number;
  message?: string;
}

let clients: { device: LoadDevice; client: LeanMqttClient; topic: Buffer; inFlight: number }[] = [];
// One batch for all connections: a pacing tick leaves as one write per socket.
const batch = new WriteBatch();

function send(report: LoadReport): void {
  process.send?.(report);
}

async function connect(command: Extract<LoadCommand, { op: 'connect' }>): Promise<void> {
  const url = new URL(command.url);
  const host = url.hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`load goes to loopback only, not ${host}`);
  const port = url.port === '' ? 1883 : Number(url.port);
  const connecting = command.devices.map((device) =>
    LeanMqttClient.connect({
      host: host.replace(/^\[(.*)\]$/, '$1'),
      port,
      clientId: device.id,
      username: device.id,
      password: command.secrets[device.id],
      batch,
    }).then((client) => ({ device, client, topic: encodeTopic(device.topic), inFlight: 0 })),
  );
  const results = await Promise.allSettled(connecting);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    // Do not leave the devices that did connect holding sockets (and client ids) on the broker.
    await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.client.end() : undefined)));
    throw failure.reason as Error;
  }
  clients = results.map((r) => (r as PromiseFulfilledResult<(typeof clients)[number]>).value);
}

function fill(template: string, idPrefix: string, seq: number, now: number): string {
  return template.replaceAll('"__TS__"', String(now)).replace('__ID__', `${idPrefix}${seq}`);
}

async function run(command: Extract<LoadCommand, { op: 'run' }>): Promise<LoadReport> {
  const started = performance.now();
  const tickMs = 5;
  const perTick = (command.ratePerSecond * tickMs) / 1000;
  let budget = 0;
  let lastTick = started;
  let sent = 0;
  let acked = 0;
  let failed = 0;
  let cursor = 0;
  const latenciesMs: number[] = [];
  const deadline = started + command.durationMs;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      if (now >= deadline) return resolve();
      // Budget by elapsed time, not by tick count: timers fire late under load.
      budget = Math.min(budget + ((now - lastTick) * command.ratePerSecond) / 1000, perTick * 20);
      lastTick = now;
      let blocked = 0;
      batch.begin();
      while (budget >= 1 && blocked < clients.length) {
        const slot = clients[cursor++ % clients.length]!;
        if (slot.inFlight >= command.maxInFlightPerDevice) {
          blocked++;
          continue;
        }
        blocked = 0;
        budget -= 1;
        const seq = sent++;
        const template = slot.device.payloads[seq % slot.device.payloads.length]!;
        const payload = fill(template, `${command.idPrefix}${slot.device.id}-`, seq, Date.now());
        const sample = seq % command.latencySampleEvery === 0;
        const t0 = sample ? performance.now() : 0;
        slot.inFlight++;
        slot.client.publish(slot.topic, payload, (err) => {
          slot.inFlight--;
          if (err) failed++;
          else {
            acked++;
            if (sample) latenciesMs.push(performance.now() - t0);
          }
        });
      }
      batch.flush();
      setTimeout(tick, Math.max(0, tickMs - (performance.now() - now)));
    };
    tick();
  });
  // Let the last in-flight messages come back (bounded).
  const drainDeadline = performance.now() + 15_000;
  while (clients.some((c) => c.inFlight > 0) && performance.now() < drainDeadline) await new Promise((r) => setTimeout(r, 10));
  return { op: 'ran', sent, acked, failed, latenciesMs, elapsedMs: performance.now() - started };
}

process.on('message', (command: LoadCommand) => {
  const handle = async () => {
    switch (command.op) {
      case 'connect':
        await connect(command);
        send({ op: 'connected' });
        break;
      case 'run':
        send(await run(command));
        break;
      case 'close':
        await Promise.all(clients.map((c) => c.client.end()));
        send({ op: 'closed' });
        process.exit(0);
    }
  };
  handle().catch((err: Error) => send({ op: 'failed', message: err.message }));
});
