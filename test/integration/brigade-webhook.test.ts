import t from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import { verifyWebhook } from '../../src/notify/signature.js';
import { startGateway, waitFor } from '../support/gateway-harness.js';

const SECRET = 'brigade-shared-secret-0123456789';

t.test('a heat alarm in the gateway reaches the brigade receiver as a signed webhook', async (t) => {
  const received: { type: string; key: string; valid: boolean; incident: { id: number; severity: string } }[] = [];
  const receiver = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { type: string; incident: { id: number; severity: string } };
      received.push({
        type: parsed.type,
        key: String(req.headers['idempotency-key']),
        valid: verifyWebhook(SECRET, req.headers['x-village-timestamp'] as string, req.headers['x-village-signature'] as string, body),
        incident: parsed.incident,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const port = (receiver.address() as { port: number }).port;

  const h = await startGateway({ INFLUX_URL: 'http://127.0.0.1:9' });
  t.teardown(() => h.stop());
  const created = await h.http('POST', '/api/brigade/subscriptions', { name: 'county brigade', url: `http://127.0.0.1:${port}/hook`, secret: SECRET });
  t.equal(created.status, 201);
  const detector = await h.register('fire');
  const client = await h.connect(detector);
  await client.publishAsync(`v1/testvillage/fire/${detector.device.id}/event`, JSON.stringify({ event: 'alarm', sensor: 'heat' }), { qos: 1 });
  const first = await waitFor('webhook received', () => received[0]);
  t.equal(first.type, 'incident.opened');
  t.equal(first.incident.severity, 'red', 'a heat alarm is a confirmed fire');
  t.ok(first.valid, 'the HMAC-SHA-256 signature over timestamp and body verifies');
  t.match(first.key, /\S+/, 'an idempotency key');

  await h.http('POST', `/api/incidents/${first.incident.id}/resolve`, { note: 'extinguished by the night shift' });
  const resolved = await waitFor('resolution pushed', () => received.find((r) => r.type === 'incident.resolved'));
  t.ok(resolved.valid);
  const deliveries = (await h.http('GET', '/api/brigade/deliveries')).json;
  t.ok(JSON.stringify(deliveries).includes('delivered'), 'the delivery log shows each attempt');
});
