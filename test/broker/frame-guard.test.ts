import t from 'tap';
import mqttPacket from 'mqtt-packet';
import { FrameSizeGuard } from '../../src/broker/frame-guard.js';

const publish = (payloadBytes: number) =>
  mqttPacket.generate({ cmd: 'publish', topic: 'v1/s/fire/d1/event', payload: Buffer.alloc(payloadBytes, 0x61), qos: 1, messageId: 7, retain: false, dup: false });

t.test('MQTT-2.2.3: packets within the limit pass, whatever the chunking', async (t) => {
  const stream = Buffer.concat([publish(10), publish(1000), publish(0), mqttPacket.generate({ cmd: 'pingreq' })]);
  for (const chunkSize of [1, 2, 3, 7, 64, stream.length]) {
    const guard = new FrameSizeGuard(2000);
    let refused = 0;
    for (let i = 0; i < stream.length; i += chunkSize) refused ||= guard.feed(stream.subarray(i, i + chunkSize));
    t.equal(refused, 0, `chunks of ${chunkSize}`);
  }
});

t.test('an oversize packet is reported from its header, before its body arrives', async (t) => {
  const big = publish(5000);
  const guard = new FrameSizeGuard(2000);
  t.equal(guard.feed(publish(100)), 0);
  const size = guard.feed(big.subarray(0, 4));
  t.equal(size, big.length, 'declared size of the whole packet');
});

t.test('MQTT-1.5.5: a Remaining Length of more than four bytes is malformed', async (t) => {
  const guard = new FrameSizeGuard(1 << 30);
  t.not(guard.feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])), 0);
});
