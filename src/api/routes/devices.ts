import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { DEVICE_KINDS, type DeviceKind } from '../../../devices/model.js';
import type { Device, DeviceRegistry } from '../../registry/device-registry.js';
import { DeviceExistsError } from '../../registry/device-registry.js';
import { hashSecret, issueSecret } from '../../registry/secrets.js';
import { DEVICE_ID_PATTERN, SITE_PATTERN, deviceTopic } from '../../broker/topics.js';
import type { DeviceModel } from '../../../devices/model.js';
import { mapBounded } from '../../map-bounded.js';
import { ApiErrors } from '../errors.js';
import { requireRole, type PrincipalResolver } from '../auth.js';
import type { ConfigAudit, ConfigAuditAction } from '../../audit/config-audit.js';

export interface DeviceRoutesOptions {
  registry: DeviceRegistry;
  findModel(id: string): DeviceModel | undefined;
  scryptCost: number;
  auth: PrincipalResolver;
  /** Called when a device loses its right to be connected (disabled, deleted, secret rotated). */
  revoke(deviceId: string): void;
  onRegistered?(device: Device): void;
  /** Who registered, disabled, enabled, re-keyed or deleted which device. */
  audit?: ConfigAudit;
}

/** What the audit keeps of a device: never its secret or the secret's hash. */
export const deviceAuditDetail = (device: Pick<Device, 'site' | 'kind' | 'model' | 'name'>) => ({ site: device.site, kind: device.kind, model: device.model, name: device.name });

const deviceSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    site: { type: 'string' },
    kind: { type: 'string', enum: DEVICE_KINDS },
    model: { type: 'string' },
    name: { type: ['string', 'null'] },
    lat: { type: ['number', 'null'] },
    lon: { type: ['number', 'null'] },
    disabled: { type: 'boolean' },
    createdAt: { type: 'integer' },
    firstSeenAt: { type: ['integer', 'null'] },
    lastSeenAt: { type: ['integer', 'null'] },
    online: { type: 'boolean' },
    offlineReason: { type: ['string', 'null'] },
  },
} as const;

const credentialsSchema = {
  type: 'object',
  properties: {
    device: deviceSchema,
    secret: { type: 'string', description: 'shown once; only a salted scrypt hash is stored' },
    mqtt: {
      type: 'object',
      properties: {
        clientId: { type: 'string' },
        username: { type: 'string' },
        publish: { type: 'array', items: { type: 'string' } },
        subscribe: { type: 'array', items: { type: 'string' } },
        lastWill: { type: 'object', properties: { topic: { type: 'string' }, payload: { type: 'string' } } },
      },
    },
  },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: DEVICE_ID_PATTERN.source } },
} as const;

const registerBodySchema = {
  type: 'object',
  required: ['id', 'site', 'kind', 'model'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: DEVICE_ID_PATTERN.source },
    site: { type: 'string', pattern: SITE_PATTERN.source },
    kind: { type: 'string', enum: DEVICE_KINDS },
    model: { type: 'string', minLength: 3, maxLength: 80 },
    name: { type: 'string', maxLength: 120 },
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
  },
} as const;

/** Devices per batch request: a batch hashes one secret per device, a few at a time. */
export const MAX_BATCH_DEVICES = 500;
/** scrypt runs on libuv's thread pool: this many at once keeps both cores busy without starving the rest. */
const BATCH_HASH_CONCURRENCY = 4;

interface RegisterBody {
  id: string;
  site: string;
  kind: DeviceKind;
  model: string;
  name?: string;
  lat?: number;
  lon?: number;
}

export async function deviceRoutes(app: FastifyInstance, options: DeviceRoutesOptions): Promise<void> {
  const { registry, auth } = options;
  const admin = (action: string) => requireRole(auth, ['admin'], action);
  const adminOrOperator = (action: string) => requireRole(auth, ['admin', 'operator'], action);
  const audit = (by: string | undefined, action: ConfigAuditAction, device: Device) =>
    options.audit?.append({ actor: by ?? 'unknown', subject: 'device', subjectId: device.id, action, detail: deviceAuditDetail(device) });

  const credentials = (device: Device, secret: string) => ({
    device,
    secret,
    mqtt: {
      clientId: device.id,
      username: device.id,
      publish: [deviceTopic(device, 'event'), deviceTopic(device, 'status')],
      subscribe: [deviceTopic(device, 'cmd'), deviceTopic(device, 'reply')],
      lastWill: { topic: deviceTopic(device, 'status'), payload: '{"online":false}' },
    },
  });

  async function register(body: RegisterBody, by: string | undefined, log: FastifyBaseLogger): Promise<{ device: Device; secret: string }> {
    const model = options.findModel(body.model);
    if (!model) throw new ApiErrors.UnknownModel(body.model);
    if (model.kind !== body.kind) throw new ApiErrors.ModelKindMismatch(body.model, model.kind, body.kind);
    if (registry.get(body.id)) throw new ApiErrors.DeviceExists(body.id);
    const secret = issueSecret();
    const secretHash = await hashSecret(secret, options.scryptCost);
    let device: Device;
    try {
      device = registry.register(body, secretHash, Date.now());
    } catch (err) {
      if (err instanceof DeviceExistsError) throw new ApiErrors.DeviceExists(body.id);
      throw err;
    }
    log.info({ deviceId: device.id, kind: device.kind, by }, 'device registered');
    audit(by, 'register', device);
    options.onRegistered?.(device);
    return { device, secret };
  }

  app.post<{ Body: RegisterBody }>(
    '/api/devices',
    {
      preValidation: admin('register devices'),
      schema: {
        tags: ['devices'],
        summary: 'Register a device; the response carries its MQTT secret, shown only this once',
        body: registerBodySchema,
        response: { 201: credentialsSchema },
      },
    },
    async (request, reply) => {
      const { device, secret } = await register(request.body, request.principal?.name, request.log);
      return reply.code(201).send(credentials(device, secret));
    },
  );

  app.post<{ Body: { devices: RegisterBody[] } }>(
    '/api/devices/batch',
    {
      preValidation: admin('register devices'),
      schema: {
        tags: ['devices'],
        summary: `Register up to ${MAX_BATCH_DEVICES} devices in one request (installing a whole street of cameras); each answer carries its device's secret, shown only this once`,
        description:
          'Every device is checked and registered on its own: one that is refused (unknown model, wrong kind, already registered) does not stop the others. ' +
          'The answer lists each device in the order sent, with `status` 201 and its credentials, or its error.',
        body: {
          type: 'object',
          required: ['devices'],
          additionalProperties: false,
          properties: { devices: { type: 'array', minItems: 1, maxItems: MAX_BATCH_DEVICES, items: registerBodySchema } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              registered: { type: 'integer' },
              refused: { type: 'integer' },
              results: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    status: { type: 'integer' },
                    ...credentialsSchema.properties,
                    code: { type: 'string' },
                    message: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const seen = new Set<string>();
      const results = await mapBounded(request.body.devices, BATCH_HASH_CONCURRENCY, async (body) => {
        try {
          if (seen.has(body.id)) throw new ApiErrors.DeviceExists(body.id);
          seen.add(body.id);
          const { device, secret } = await register(body, request.principal?.name, request.log);
          return { id: body.id, status: 201, ...credentials(device, secret) };
        } catch (err) {
          const { statusCode, code, message } = err as { statusCode?: number; code?: string; message: string };
          if (statusCode === undefined || statusCode >= 500) throw err;
          return { id: body.id, status: statusCode, code, message };
        }
      });
      const registered = results.filter((r) => r.status === 201).length;
      return { registered, refused: results.length - registered, results };
    },
  );

  app.get<{ Querystring: { site?: string; kind?: DeviceKind; online?: boolean; search?: string; limit: number; offset: number } }>(
    '/api/devices',
    {
      preValidation: adminOrOperator('list devices'),
      schema: {
        tags: ['devices'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            site: { type: 'string' },
            kind: { type: 'string', enum: DEVICE_KINDS },
            online: { type: 'boolean' },
            search: { type: 'string', minLength: 1, maxLength: 80, description: 'part of the device id or name (case-insensitive)' },
            limit: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { total: { type: 'integer' }, devices: { type: 'array', items: deviceSchema } },
          },
        },
      },
    },
    async (request) => {
      const { limit, offset, search, ...filter } = request.query;
      const needle = search?.toLowerCase();
      const listed = registry.list(filter);
      const all = needle ? listed.filter((d) => d.id.toLowerCase().includes(needle) || (d.name ?? '').toLowerCase().includes(needle)) : listed;
      return { total: all.length, devices: all.slice(offset, offset + limit) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/devices/:id',
    { preValidation: adminOrOperator('read devices'), schema: { tags: ['devices'], params: idParams, response: { 200: deviceSchema } } },
    async (request) => {
      const device = registry.get(request.params.id);
      if (!device) throw new ApiErrors.DeviceNotFound(request.params.id);
      return device;
    },
  );

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post<{ Params: { id: string } }>(
      `/api/devices/:id/${action}`,
      { preValidation: admin(`${action} devices`), schema: { tags: ['devices'], params: idParams, response: { 200: deviceSchema } } },
      async (request) => {
        const device = registry.setDisabled(request.params.id, disabled);
        if (!device) throw new ApiErrors.DeviceNotFound(request.params.id);
        if (disabled) options.revoke(device.id);
        request.log.info({ deviceId: device.id, disabled, by: request.principal?.name }, `device ${action}d`);
        audit(request.principal?.name, action, device);
        return device;
      },
    );
  }

  app.post<{ Params: { id: string } }>(
    '/api/devices/:id/secret',
    {
      preValidation: admin('rotate device secrets'),
      schema: { tags: ['devices'], summary: 'Issue a new secret (the old one stops working at once)', params: idParams, response: { 200: credentialsSchema } },
    },
    async (request) => {
      const device = registry.get(request.params.id);
      if (!device) throw new ApiErrors.DeviceNotFound(request.params.id);
      const secret = issueSecret();
      registry.replaceSecret(device.id, await hashSecret(secret, options.scryptCost));
      options.revoke(device.id);
      request.log.info({ deviceId: device.id, by: request.principal?.name }, 'device secret rotated');
      audit(request.principal?.name, 'rotate-secret', device);
      return credentials(device, secret);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/devices/:id',
    { preValidation: admin('delete devices'), schema: { tags: ['devices'], params: idParams, response: { 204: { type: 'null' } } } },
    async (request, reply) => {
      const device = registry.get(request.params.id);
      if (!device || !registry.delete(request.params.id)) throw new ApiErrors.DeviceNotFound(request.params.id);
      options.revoke(request.params.id);
      request.log.info({ deviceId: request.params.id, by: request.principal?.name }, 'device deleted');
      audit(request.principal?.name, 'delete', device);
      return reply.code(204).send();
    },
  );
}

