import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { modelsForKind as allModelsForKind } from '../../../devices/index.js';
import { DEVICE_KINDS, modelId, type DeviceKind, type DeviceModel } from '../../../devices/model.js';
import { DEVICE_ID_PATTERN, SITE_PATTERN } from '../../broker/topics.js';
import { lookUpCode, type ClaimRequest } from '../../pairing/claim.js';
import { MAX_BATCH } from '../../pairing/claim-codes.js';
import { PREFIX_PATTERN } from '../../pairing/code-format.js';
import { COMMISSIONING_STATES, NotTestedError, type CommissioningState, type CommissioningView } from '../../pairing/commissioning.js';
import { claimCodesCsv } from '../../pairing/csv.js';
import { deviceCredentials, type MqttHints } from '../../pairing/device-config.js';
import { PairingError, PairingErrors } from '../../pairing/errors.js';
import type { Pairing } from '../../pairing/index.js';
import { claimSheetHtml } from '../../pairing/sheet.js';
import { requireRole, type Principal, type PrincipalResolver } from '../auth.js';
import type { ConfigAudit } from '../../audit/config-audit.js';
import { deviceAuditDetail } from './devices.js';

export interface PairingRoutesOptions {
  auth: PrincipalResolver;
  pairing: Pairing;
  /**
   * Where devices reach the broker. Without `host`, the host name the
   * installer's request used (the gateway as the installer's phone sees it).
   */
  mqtt: Omit<MqttHints, 'host'> & { host?: string | undefined };
  modelsForKind?(kind: DeviceKind): readonly DeviceModel[];
  now?(): number;
  /** The configuration audit: a claim registers a device, commissioning puts it in service (the pairing tables keep the details). */
  audit?: ConfigAudit;
}

interface BatchBody {
  site: string;
  kind: DeviceKind;
  count: number;
  prefix?: string;
  label?: string;
}

interface CodeQuery {
  batch?: string;
  site?: string;
  kind?: DeviceKind;
  used?: boolean;
  limit: number;
  offset: number;
}

const codeFilterProperties = {
  batch: { type: 'string', maxLength: 40 },
  site: { type: 'string', pattern: SITE_PATTERN.source },
  kind: { type: 'string', enum: DEVICE_KINDS },
  used: { type: 'boolean' },
} as const;

const deviceIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: DEVICE_ID_PATTERN.source } },
} as const;

/** The session's site, for principals that carry one (installer accounts bound to a site). */
function siteOf(principal: Principal | undefined): string | undefined {
  const site: unknown = principal ? (principal as unknown as Record<string, unknown>)['site'] : undefined;
  return typeof site === 'string' && site !== '' ? site : undefined;
}

/**
 * Installer pairing (`/api/pairing/…`): claim-code batches and their sticker
 * sheet for admins; claim, code look-up and commissioning progress for
 * installers. The installer page (/install) is built on these.
 */
export async function pairingRoutes(app: FastifyInstance, options: PairingRoutesOptions): Promise<void> {
  const { auth, pairing } = options;
  const { codes, claims, commissioning } = pairing;
  const now = options.now ?? Date.now;
  const modelsForKind = options.modelsForKind ?? allModelsForKind;
  const admin = (action: string) => requireRole(auth, ['admin'], action);
  const installer = (action: string) => requireRole(auth, ['installer', 'admin'], action);

  app.setErrorHandler((error: FastifyError | PairingError, _request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof PairingError) return reply.code(error.statusCode).send(error.toJSON());
    throw error;
  });

  app.post<{ Body: BatchBody }>(
    '/api/pairing/claim-codes',
    {
      preValidation: admin('generate claim codes'),
      schema: {
        tags: ['pairing'],
        summary: 'Generate a batch of single-use claim codes for one site and device kind',
        body: {
          type: 'object',
          required: ['site', 'kind', 'count'],
          additionalProperties: false,
          properties: {
            site: { type: 'string', pattern: SITE_PATTERN.source },
            kind: { type: 'string', enum: DEVICE_KINDS },
            count: { type: 'integer', minimum: 1, maximum: MAX_BATCH },
            prefix: { type: 'string', pattern: PREFIX_PATTERN.source, description: '1–4 capital letters; default by kind (FD fire, CM camera, DK lock, EB e-bike reader, TM tracker)' },
            label: { type: 'string', maxLength: 120 },
          },
        },
      },
    },
    async (request, reply) => {
      const by = request.principal?.name ?? 'unknown';
      const created = codes.createBatch({ ...request.body, by, now: now() });
      request.log.info({ batch: created.batch.id, site: created.batch.site, kind: created.batch.kind, count: created.batch.count, by }, 'claim codes generated');
      return reply.code(201).send({ ...created, sheet: `/api/pairing/claim-codes/sheet.html?batch=${created.batch.id}` });
    },
  );

  app.get<{ Querystring: CodeQuery }>(
    '/api/pairing/claim-codes',
    {
      preValidation: admin('list claim codes'),
      schema: {
        tags: ['pairing'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...codeFilterProperties,
            limit: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
      },
    },
    async (request) => {
      const { batch, site, kind, used, limit, offset } = request.query;
      const filter = { batchId: batch, site, kind, used };
      return { total: codes.count(filter), codes: codes.list(filter, { limit, offset }) };
    },
  );

  app.get<{ Querystring: Omit<CodeQuery, 'limit' | 'offset'> }>(
    '/api/pairing/claim-codes/export.csv',
    {
      preValidation: admin('export claim codes'),
      schema: { tags: ['pairing'], summary: 'Claim codes as CSV (label printers, spreadsheets)', querystring: { type: 'object', additionalProperties: false, properties: codeFilterProperties } },
    },
    async (request, reply) => {
      const { batch, site, kind, used } = request.query;
      const name = batch ? `claim-codes-${batch}.csv` : 'claim-codes.csv';
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store')
        .send(claimCodesCsv(codes.list({ batchId: batch, site, kind, used })));
    },
  );

  app.get<{ Querystring: { site?: string; kind?: DeviceKind } }>(
    '/api/pairing/claim-codes/batches',
    {
      preValidation: admin('list claim-code batches'),
      schema: { tags: ['pairing'], querystring: { type: 'object', additionalProperties: false, properties: { site: codeFilterProperties.site, kind: codeFilterProperties.kind } } },
    },
    async (request) => ({ batches: codes.batches(request.query) }),
  );

  app.get<{ Querystring: { batch: string; used?: boolean } }>(
    '/api/pairing/claim-codes/sheet.html',
    {
      preValidation: admin('print claim codes'),
      schema: {
        tags: ['pairing'],
        summary: 'Printable A4 sheet of the batch\'s stickers (QR + code); used=false leaves out spent codes',
        querystring: { type: 'object', required: ['batch'], additionalProperties: false, properties: { batch: codeFilterProperties.batch, used: { type: 'boolean' } } },
      },
    },
    async (request, reply) => {
      const batch = codes.batch(request.query.batch);
      if (!batch) throw PairingErrors.batchNotFound(request.query.batch);
      const html = await claimSheetHtml(batch, codes.list({ batchId: batch.id, used: request.query.used }), now());
      return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
    },
  );

  app.get(
    '/api/pairing/sites',
    {
      preValidation: installer('list pairing sites'),
      schema: {
        tags: ['pairing'],
        summary: 'The sites claim codes were generated for (with codes still free): the installer page asks which one the installer works on, so a sticker of another site is refused',
      },
    },
    async () => ({ sites: codes.sites() }),
  );

  app.get<{ Params: { code: string } }>(
    '/api/pairing/claim-codes/:code',
    {
      preValidation: installer('look up claim codes'),
      schema: {
        tags: ['pairing'],
        summary: 'What a scanned or typed code is for (site, kind, the models to choose from) and whether it is still free',
        params: { type: 'object', required: ['code'], properties: { code: { type: 'string', maxLength: 40 } } },
      },
    },
    async (request) => {
      const { code } = lookUpCode(codes, request.params.code);
      return {
        ...code,
        used: code.usedAt !== null,
        models: modelsForKind(code.kind).map((model) => ({ id: modelId(model), description: model.description })),
      };
    },
  );

  app.post<{ Body: ClaimRequest }>(
    '/api/pairing/claim',
    {
      preValidation: installer('claim devices'),
      schema: {
        tags: ['pairing'],
        summary: 'Claim a device with its code: registers it at its place; the response carries its MQTT secret, shown only this once',
        body: {
          type: 'object',
          required: ['code', 'model', 'lon', 'lat'],
          additionalProperties: false,
          properties: {
            code: { type: 'string', minLength: 1, maxLength: 40 },
            deviceId: { type: 'string', pattern: DEVICE_ID_PATTERN.source },
            model: { type: 'string', minLength: 3, maxLength: 80 },
            lon: { type: 'number', minimum: -180, maximum: 180 },
            lat: { type: 'number', minimum: -90, maximum: 90 },
            name: { type: 'string', maxLength: 120 },
            site: { type: 'string', pattern: SITE_PATTERN.source },
          },
        },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      const claimed = await claims.claim(request.body, { name: principal?.name ?? 'unknown', site: siteOf(principal) });
      const { device } = claimed;
      request.log.info({ deviceId: device.id, kind: device.kind, site: device.site, code: claimed.code.code, by: principal?.name }, 'device claimed');
      options.audit?.append({ actor: principal?.name ?? 'unknown', subject: 'device', subjectId: device.id, action: 'claim', detail: { ...deviceAuditDetail(device), code: claimed.code.code } });
      const credentials = await deviceCredentials(device, claimed.secret, {
        host: options.mqtt.host ?? request.hostname,
        port: options.mqtt.port,
        tlsPort: options.mqtt.tlsPort,
        websocketPath: options.mqtt.websocketPath,
      });
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ device, code: claimed.code.code, ...credentials, commissioning: claimed.commissioning });
    },
  );

  app.get<{ Querystring: { site?: string; state?: CommissioningState; mine?: boolean; limit: number } }>(
    '/api/pairing/devices',
    {
      preValidation: installer('follow commissioning'),
      schema: {
        tags: ['pairing'],
        summary: 'Claimed devices and their commissioning, newest claim first; mine=true: claimed by the caller',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            site: codeFilterProperties.site,
            state: { type: 'string', enum: COMMISSIONING_STATES },
            mine: { type: 'boolean' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
          },
        },
      },
    },
    async (request) => {
      const { site, state, mine, limit } = request.query;
      return { devices: commissioning.list({ site, state, claimedBy: mine ? request.principal?.name : undefined }, limit) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/pairing/devices/:id',
    {
      preValidation: installer('follow commissioning'),
      schema: { tags: ['pairing'], summary: 'Commissioning state of a claimed device, broker refusals and likely causes', params: deviceIdParams },
    },
    async (request) => {
      const view = commissioning.view(request.params.id);
      if (!view) throw PairingErrors.deviceNotTracked(request.params.id);
      return view;
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/pairing/devices/:id/commission',
    {
      preValidation: installer('commission devices'),
      schema: { tags: ['pairing'], summary: 'The installer confirms: test event seen, device in place → commissioned', params: deviceIdParams },
    },
    async (request) => {
      let view: CommissioningView | undefined;
      const already = commissioning.view(request.params.id)?.state === 'commissioned';
      try {
        view = commissioning.commission(request.params.id, request.principal?.name ?? 'unknown');
      } catch (err) {
        if (err instanceof NotTestedError) throw PairingErrors.notTested(request.params.id, err.state);
        throw err;
      }
      if (!view) throw PairingErrors.deviceNotTracked(request.params.id);
      request.log.info({ deviceId: view.deviceId, by: request.principal?.name }, 'device commissioned');
      if (!already) options.audit?.append({ actor: request.principal?.name ?? 'unknown', subject: 'device', subjectId: view.deviceId, action: 'commission', detail: { site: view.site, kind: view.kind, model: view.model } });
      return view;
    },
  );
}
