import t from 'tap';
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { DeviceConnection } from '../../simulators/devices/connection.js';
import { ConnectGate } from '../../simulators/devices/connect-gate.js';
import { Scheduler } from '../../simulators/devices/scheduler.js';
import { emptyStats } from '../../simulators/devices/stats.js';
import { Random } from '../../simulators/village/random.js';

// A broker that takes publishes and never acknowledges them: the device's message stays in flight.
async function silentBroker(): Promise<{ port: number; close(): Promise<void> }> {
  const broker = await Aedes.createBroker({ authorizePublish: () => undefined });
  const server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.close();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

t.test('stopping a simulated device never waits for ever on an unacknowledged message', async (t) => {
  const broker = await silentBroker();
  t.teardown(() => broker.close());
  const scheduler = new Scheduler();
  scheduler.start();
  t.teardown(() => scheduler.stop());
  const stats = emptyStats();
  let online!: () => void;
  const isOnline = new Promise<void>((resolve) => (online = resolve));
  const connection = new DeviceConnection(
    { id: 'cam-1', site: 'testvillage', kind: 'camera', secret: 'x' },
    { mqttUrl: `mqtt://127.0.0.1:${broker.port}`, scheduler, mqttTimer: scheduler.mqttTimer(), gate: new ConnectGate(scheduler), random: new Random('stop') },
    stats.camera,
    { online: () => online() },
  );
  connection.start();
  await isOnline;
  void connection.publish('event', '{"event":"heartbeat"}');
  await new Promise((resolve) => setTimeout(resolve, 200));

  const started = performance.now();
  await connection.stop();
  const took = performance.now() - started;
  t.ok(took < 10_000, `connected, one message unacknowledged: stopped after ${Math.round(took)} ms (grace 3 s), not never`);
  t.equal(connection.online, false);

  // Without a socket there is nothing to wait for.
  const off = new DeviceConnection(
    { id: 'cam-2', site: 'testvillage', kind: 'camera', secret: 'x' },
    { mqttUrl: 'mqtt://127.0.0.1:1', scheduler, mqttTimer: scheduler.mqttTimer(), gate: new ConnectGate(scheduler), random: new Random('stop') },
    stats.camera,
    { online: () => undefined },
  );
  off.start();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const offStarted = performance.now();
  await off.stop();
  t.ok(performance.now() - offStarted < 1000, 'a device that never got a socket stops at once');
});
