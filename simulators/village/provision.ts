import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ArgSpec } from '../args.js';
import { GatewayClient, mapLimit } from '../gateway-client.js';
import { readPlan } from './plan-file.js';
import type { LockPlan, VillagePlan } from './plan.js';
import { readSecrets, writeSecrets, type SecretsFile } from './secrets.js';
import { adminToken } from './token.js';

/**
 * Registers a village plan with a running gateway through its real HTTP
 * API: devices (`POST /api/devices/batch`, 500 at a time; the secret in each
 * answer is saved to secrets.json, mode 600), teams (`POST /api/teams`), and — when the gateway
 * has them — the registers of room cards, blacklisted cards and stolen
 * e-bike tags. Idempotent: a device that exists (409) is skipped, or given a
 * new secret if ours was lost; a team that exists is left alone; register
 * entries are upserts.
 *
 *   node --import tsx simulators/village/provision.ts --dir data/village --http http://127.0.0.1:8080 [--token-file data/local-secrets.json]
 */

export interface ProvisionOptions {
  dir: string;
  client: GatewayClient;
  plan?: VillagePlan;
  /** Requests in flight at once (device registration costs the gateway one scrypt each). */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface ProvisionReport {
  devices: { registered: number; existing: number; rotated: number; failed: number };
  teams: { registered: number; existing: number; failed: number };
  roomCards: RegisterOutcome;
  blacklist: RegisterOutcome;
  stolenTags: RegisterOutcome;
  seconds: number;
}

export type RegisterOutcome = { written: number; failed: number } | { skipped: string };

interface Credentials {
  secret: string;
}

interface BatchAnswer {
  results: { id: string; status: number; secret?: string; code?: string; message?: string }[];
}

/** Devices per `POST /api/devices/batch` (the gateway's limit). */
const BATCH = 500;

const MAX_FAILURES = 25;

export async function provisionVillage(options: ProvisionOptions): Promise<ProvisionReport> {
  const started = performance.now();
  const { client, dir } = options;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const plan = options.plan ?? readPlan(dir);
  const concurrency = options.concurrency ?? 8;
  const secrets: SecretsFile = readSecrets(dir) ?? { version: 1, gateway: client.baseUrl, devices: {} };
  secrets.gateway = client.baseUrl;

  // What the gateway has already: a re-run then costs a few list requests, not one POST per device
  // (the API allows 1,200 requests a minute; a full village is ~11,000 devices).
  const existing = await registeredIds(client, plan.site);
  const devices = { registered: 0, existing: 0, rotated: 0, failed: 0 };
  const todo = plan.devices.filter((device) => {
    if (existing.has(device.id) && secrets.devices[device.id]) {
      devices.existing += 1;
      return false;
    }
    return true;
  });
  const problems: string[] = [];
  const fail = (problem: string) => {
    devices.failed += 1;
    problems.push(problem);
  };
  const bodyOf = (device: (typeof todo)[number]) => ({ id: device.id, site: plan.site, kind: device.kind, model: device.model, name: device.name, lat: device.lat, lon: device.lon });
  const save = () => writeSecrets(dir, secrets);

  // New devices in batches of 500 (one request, one rate-limit token each); the secrets file is saved after every batch.
  const fresh = todo.filter((device) => !existing.has(device.id));
  if (fresh.length > 0) log(`provision: registering ${fresh.length} devices in batches of ${BATCH}…`);
  const single: typeof todo = todo.filter((device) => existing.has(device.id));
  for (let i = 0; i < fresh.length && problems.length < MAX_FAILURES; i += BATCH) {
    const chunk = fresh.slice(i, i + BATCH);
    const answer = await client.request<BatchAnswer>('POST', '/api/devices/batch', { devices: chunk.map(bodyOf) });
    if (answer.status === 404) {
      // A gateway without the batch route: one request per device.
      single.push(...fresh.slice(i));
      break;
    }
    if (answer.status !== 200 || !answer.body) {
      fail(`register batch of ${chunk.length}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
      continue;
    }
    for (const result of answer.body.results) {
      if (result.status === 201 && result.secret) {
        secrets.devices[result.id] = result.secret;
        devices.registered += 1;
      } else if (result.status === 409) single.push(chunk.find((d) => d.id === result.id)!);
      else fail(`register ${result.id}: ${result.status} ${result.code ?? ''} ${result.message ?? ''}`);
    }
    save();
  }

  await mapLimit(single, concurrency, async (device) => {
    if (problems.length >= MAX_FAILURES) return;
    const answer = existing.has(device.id) ? { status: 409, body: undefined, text: '' } : await client.request<Credentials>('POST', '/api/devices', bodyOf(device));
    if (answer.status === 201 && answer.body?.secret) {
      secrets.devices[device.id] = answer.body.secret;
      devices.registered += 1;
    } else if (answer.status === 409 && secrets.devices[device.id]) {
      devices.existing += 1;
      return;
    } else if (answer.status === 409) {
      // Registered before, but its secret is not in our file: only a new secret lets us connect as it.
      const rotated = await client.request<Credentials>('POST', `/api/devices/${encodeURIComponent(device.id)}/secret`);
      if (rotated.status !== 200 || !rotated.body?.secret) return fail(`rotate ${device.id}: HTTP ${rotated.status} ${rotated.text.slice(0, 200)}`);
      secrets.devices[device.id] = rotated.body.secret;
      devices.rotated += 1;
    } else return fail(`register ${device.id}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
  });
  save();
  if (problems.length > 0) {
    for (const problem of problems.slice(0, 5)) log(`provision: ${problem}`);
    if (problems.length >= MAX_FAILURES) throw new Error(`provisioning stopped after ${problems.length} failed registrations (first: ${problems[0]})`);
  }
  log(`provision: devices ${devices.registered} registered, ${devices.existing} already there, ${devices.rotated} given new secrets, ${devices.failed} failed`);

  const teams = { registered: 0, existing: 0, failed: 0 };
  const known = new Set((await client.teams()).map((team) => team.id));
  for (const team of plan.teams) {
    if (known.has(team.id)) {
      teams.existing += 1;
      continue;
    }
    const answer = await client.request('POST', '/api/teams', { id: team.id, name: team.name, trackerDeviceId: team.trackerId });
    if (answer.status === 201) teams.registered += 1;
    else {
      teams.failed += 1;
      log(`provision: team ${team.id}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
    }
  }
  log(`provision: teams ${teams.registered} registered, ${teams.existing} already there, ${teams.failed} failed`);

  const locks = plan.devices.filter((d): d is LockPlan => d.kind === 'lock');
  const cards = locks.flatMap((lock) => lock.tenants.map((tenant) => ({ room: lock.room, card: tenant.card, tenantName: tenant.name })));
  const roomCards = await writeRegister(client, log, concurrency, 'room cards', cards, {
    csv: { path: '/api/registers/room-cards/import.csv', header: ['site', 'room', 'card', 'tenant_name'], row: (e) => [plan.site, e.room, e.card, e.tenantName] },
    shapes: [
      (e) => ({ path: `/api/registers/room-cards/${encodeURIComponent(plan.site)}/${encodeURIComponent(e.room)}`, body: { card: e.card, tenantName: e.tenantName } }),
      // The shape first announced for this register; used only if the gateway knows neither of the above.
      (e) => ({ path: '/api/registers/room-cards', body: { site: plan.site, room: e.room, card: e.card } }),
    ],
  });
  const blacklist = await writeRegister(client, log, concurrency, 'blacklist', plan.strangers.filter((s) => s.blacklisted), {
    csv: { path: '/api/registers/blacklist/import.csv', header: ['site', 'card', 'reason'], row: (s) => [plan.site, s.card, s.reason ?? 'blacklisted'] },
    shapes: [(s) => ({ path: '/api/registers/blacklist', body: { site: plan.site, card: s.card, reason: s.reason ?? 'blacklisted' } })],
  });
  const stolenTags = await writeRegister(client, log, concurrency, 'stolen tags', plan.stolenTags, {
    csv: { path: '/api/registers/stolen-tags/import.csv', header: ['tag', 'owner_name', 'owner_contact'], row: (t) => [t.tag, t.ownerName, t.ownerContact] },
    shapes: [(t) => ({ path: '/api/registers/stolen-tags', body: { tag: t.tag, ownerName: t.ownerName, ownerContact: t.ownerContact } })],
  });
  if (client.rateLimited > 0) log(`provision: the gateway's API rate limit answered 429 ${client.rateLimited} times (waited and retried)`);
  return { devices, teams, roomCards, blacklist, stolenTags, seconds: (performance.now() - started) / 1000 };
}

/** Device ids the gateway has for this site (GET /api/devices, in pages of 5,000). */
async function registeredIds(client: GatewayClient, site: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let offset = 0, page = 0; page < 100; page++) {
    const answer = await client.expect<{ total: number; devices: { id: string }[] }>('GET', `/api/devices?site=${encodeURIComponent(site)}&limit=5000&offset=${offset}`, undefined, [200]);
    for (const device of answer.devices) ids.add(device.id);
    offset += answer.devices.length;
    if (answer.devices.length === 0 || offset >= answer.total) break;
  }
  return ids;
}

interface RegisterWays<E> {
  /** Bulk import (RFC 4180 CSV with a header), a few thousand rows a request. */
  csv?: { path: string; header: string[]; row(entry: E): string[] };
  /** One request per entry, tried in order when the ones before answer 404. */
  shapes: ((entry: E) => { path: string; body: unknown })[];
}

const CSV_ROWS_PER_REQUEST = 2000;

/**
 * Writes every entry the first way the gateway answers: its CSV import,
 * else one request per entry. 404 on the first request means "not deployed
 * on this gateway": the next way is tried, and with none left the register
 * is skipped, saying so. Every way is an upsert, so a re-run is harmless.
 */
async function writeRegister<E>(client: GatewayClient, log: (line: string) => void, concurrency: number, name: string, entries: readonly E[], ways: RegisterWays<E>): Promise<RegisterOutcome> {
  if (entries.length === 0) return { written: 0, failed: 0 };
  const tried: string[] = [];
  if (ways.csv) {
    const { csv } = ways;
    let written = 0;
    let failed = 0;
    let deployed = true;
    for (let start = 0; start < entries.length && deployed; start += CSV_ROWS_PER_REQUEST) {
      const rows = entries.slice(start, start + CSV_ROWS_PER_REQUEST).map((entry) => csv.row(entry));
      const text = [csv.header, ...rows].map((cells) => cells.map(csvCell).join(',')).join('\r\n');
      const answer = await client.request<{ imported: number; errors: { line: number; message: string }[] }>('POST', csv.path, `${text}\r\n`, 'text/csv');
      if (answer.status === 404 && start === 0) deployed = false;
      else if (answer.status === 200 && answer.body) {
        written += answer.body.imported;
        failed += answer.body.errors.length;
        for (const error of answer.body.errors.slice(0, 3)) log(`provision: ${name}: CSV line ${error.line + start}: ${error.message}`);
      } else {
        failed += rows.length;
        log(`provision: ${name}: CSV import HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }
    if (deployed) {
      log(`provision: ${name}: ${written} written, ${failed} failed (CSV import)`);
      return { written, failed };
    }
    tried.push(`POST ${csv.path}`);
  }
  for (const shape of ways.shapes) {
    const first = shape(entries[0]!);
    const answer = await client.request('POST', first.path, first.body);
    if (answer.status === 404) {
      tried.push(`POST ${first.path}`);
      continue;
    }
    let written = answer.status === 200 || answer.status === 201 ? 1 : 0;
    let failed = 1 - written;
    if (failed) log(`provision: ${name}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
    await mapLimit(entries.slice(1), concurrency, async (entry) => {
      if (failed >= MAX_FAILURES) return;
      const request = shape(entry);
      const result = await client.request('POST', request.path, request.body);
      if (result.status === 200 || result.status === 201) written += 1;
      else if (++failed <= 3) log(`provision: ${name}: HTTP ${result.status} ${result.text.slice(0, 200)}`);
    });
    log(`provision: ${name}: ${written} written, ${failed} failed`);
    return { written, failed };
  }
  const skipped = `${tried.join(', ')} answered 404: this gateway has no ${name} register (not deployed yet); skipped ${entries.length} entries`;
  log(`provision: ${name}: ${skipped}`);
  return { skipped };
}

/** RFC 4180: quote a cell that holds a comma, a quote or a line break. */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const ARGS: Record<string, ArgSpec> = {
  dir: { kind: 'string', help: 'village directory with plan.json (required)' },
  http: { kind: 'string', help: 'gateway HTTP base URL (default http://127.0.0.1:8080)' },
  token: { kind: 'string', help: 'admin bearer token (default: $ADMIN_TOKEN, or --token-file)' },
  'token-file': { kind: 'string', help: 'file with the token: plain, or JSON with ADMIN_TOKEN (e.g. data/local-secrets.json)' },
  concurrency: { kind: 'number', help: 'requests in flight (default 8)' },
};

async function main(): Promise<void> {
  const { values } = parseArgs(process.argv.slice(2), ARGS, 'node --import tsx simulators/village/provision.ts --dir data/village --http http://127.0.0.1:8080');
  if (typeof values.dir !== 'string') throw new Error('--dir <village dir> is required');
  const client = new GatewayClient(typeof values.http === 'string' ? values.http : 'http://127.0.0.1:8080', adminToken(values));
  const report = await provisionVillage({ dir: resolve(values.dir), client, ...(typeof values.concurrency === 'number' ? { concurrency: values.concurrency } : {}) });
  process.stdout.write(`provisioned in ${report.seconds.toFixed(1)} s: ${JSON.stringify(report)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    process.stderr.write(`provision: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
