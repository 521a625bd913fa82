import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { GatewayClient } from '../../simulators/gateway-client.js';
import { generateVillage, writeVillage } from '../../simulators/village/generate.js';
import { provisionVillage } from '../../simulators/village/provision.js';
import { readSecrets, secretsPath } from '../../simulators/village/secrets.js';

/**
 * A stand-in gateway with the device and team API but no registers (404),
 * as a gateway from before the registers were deployed answers: the
 * provisioner must register what it can and skip the rest, saying so.
 */
async function fakeGateway(): Promise<{ url: string; requests: string[]; devices: Set<string>; close(): Promise<void> }> {
  const requests: string[] = [];
  const devices = new Set<string>();
  const teams: { id: string }[] = [];
  let secrets = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push(`${request.method} ${request.url}`);
      const send = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (request.headers.authorization !== 'Bearer token-0123456789abcdef01234') return send(401, { message: 'no' });
      if (request.method === 'POST' && request.url === '/api/devices') {
        const { id } = JSON.parse(body) as { id: string };
        if (devices.has(id)) return send(409, { code: 'GW_DEVICE_EXISTS', message: `device ${id} is already registered` });
        devices.add(id);
        return send(201, { device: { id }, secret: `secret-${++secrets}` });
      }
      if (request.method === 'GET' && request.url?.startsWith('/api/devices?')) {
        return send(200, { total: devices.size, devices: [...devices].map((id) => ({ id })) });
      }
      const rotate = /^\/api\/devices\/([^/]+)\/secret$/.exec(request.url ?? '');
      if (request.method === 'POST' && rotate) return send(200, { device: { id: rotate[1] }, secret: `rotated-${++secrets}` });
      if (request.url === '/api/teams' && request.method === 'GET') return send(200, { teams });
      if (request.url === '/api/teams' && request.method === 'POST') {
        teams.push(JSON.parse(body) as { id: string });
        return send(201, { team: JSON.parse(body) });
      }
      return send(404, { message: `Route ${request.method}:${request.url} not found`, error: 'Not Found', statusCode: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    requests,
    devices,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

t.test('provisioning registers devices and teams, keeps secrets owner-only, skips absent registers with a clear line, and is idempotent', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const village = generateVillage({ seed: 4, scale: 0.01 });
  writeVillage(dir, village);
  const gateway = await fakeGateway();
  t.teardown(() => gateway.close());
  const client = new GatewayClient(gateway.url, 'token-0123456789abcdef01234', { perMinute: 60_000 });
  const lines: string[] = [];

  const first = await provisionVillage({ dir, client, log: (line) => lines.push(line) });
  t.equal(first.devices.registered, village.plan.devices.length, 'every planned device registered');
  t.equal(first.teams.registered, village.plan.teams.length);
  const secrets = readSecrets(dir)!;
  t.equal(Object.keys(secrets.devices).length, village.plan.devices.length, 'every secret saved');
  t.equal(statSync(secretsPath(dir)).mode & 0o777, 0o600, 'secrets.json is mode 600');
  for (const register of ['roomCards', 'blacklist', 'stolenTags'] as const) t.ok('skipped' in first[register], `${register} skipped`);
  t.ok(
    lines.some((l) => /room cards: POST \/api\/registers\/room-cards\/import\.csv, POST \/api\/registers\/room-cards\/village\/[^ ]+, POST \/api\/registers\/room-cards answered 404: .*not deployed yet/.test(l)),
    'CSV import and both per-card request shapes tried, the skip logged',
  );
  t.ok(lines.some((l) => /stolen tags: .*404.*not deployed yet.*skipped \d+ entries/.test(l)), 'the stolen-tags skip logged');

  // Lost one secret: the device exists (409), so it gets a new one instead.
  delete secrets.devices[village.plan.devices[0]!.id];
  const { writeSecrets } = await import('../../simulators/village/secrets.js');
  writeSecrets(dir, secrets);
  const again = await provisionVillage({ dir, client, log: () => undefined });
  t.same(again.devices, { registered: 0, existing: village.plan.devices.length - 1, rotated: 1, failed: 0 }, 'second run: all there, one secret rotated');
  t.same(again.teams, { registered: 0, existing: village.plan.teams.length, failed: 0 }, 'teams already there are left alone');
  t.match(readSecrets(dir)!.devices[village.plan.devices[0]!.id], /^rotated-/);
  t.equal(gateway.requests.filter((r) => r.startsWith('POST /api/registers')).length, 14, 'a missing register costs one probe per way and run, not one per entry');
  t.equal(gateway.requests.filter((r) => r === 'POST /api/devices').length, village.plan.devices.length, 'the second run posts no device again: it lists them first');
});

t.test('the gateway client refuses anything but loopback', async (t) => {
  t.throws(() => new GatewayClient('http://10.0.0.5:8080', 'x'), /loopback addresses only, not 10\.0\.0\.5/);
});
