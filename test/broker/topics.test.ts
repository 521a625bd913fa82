import t from 'tap';
import { deviceTopic, parseDeviceTopic } from '../../src/broker/topics.js';

t.test('topic contract v1/{site}/{kind}/{deviceId}/{channel}', async (t) => {
  t.same(parseDeviceTopic('v1/xiaoshan/fire/FD-0001/event'), { site: 'xiaoshan', kind: 'fire', deviceId: 'FD-0001', channel: 'event' });
  t.equal(deviceTopic({ site: 'xiaoshan', kind: 'lock', id: 'L1' }, 'reply'), 'v1/xiaoshan/lock/L1/reply');
  for (const bad of ['v1/xiaoshan/fire/FD-0001', 'v2/x/fire/a/event', 'v1/x/toaster/a/event', 'v1/x/fire/a/debug', 'v1/x/fire/a/event/extra', 'v1/X Y/fire/a/event', '$SYS/broker/uptime', 'v1/x/fire/+/event', 'v1/x/fire/#']) {
    t.equal(parseDeviceTopic(bad), undefined, bad);
  }
});
