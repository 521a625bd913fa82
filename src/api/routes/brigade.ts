import createError from '@fastify/error';
import type { FastifyInstance } from 'fastify';
import { SEVERITIES, type Severity } from '../../rules/types.js';
import { WEBHOOK_EVENT_TYPES } from '../../notify/incident-changes.js';
import { SubscriptionInputError, type BrigadeSubscription, type BrigadeSubscriptions } from '../../notify/subscriptions.js';
import { ATTEMPT_OUTCOMES, DELIVERY_STATUSES, type Delivery, type DeliveryStatus, type WebhookOutbox } from '../../notify/webhook-outbox.js';
import { requireRole, type PrincipalResolver } from '../auth.js';
import { auditableUrl, type ConfigAudit, type ConfigAuditAction, type ConfigAuditDetail } from '../../audit/config-audit.js';

export interface BrigadeRoutesOptions {
  subscriptions: BrigadeSubscriptions;
  outbox: WebhookOutbox;
  auth: PrincipalResolver;
  /** Who created, changed, re-keyed or deleted which subscription (never its secret). */
  audit?: ConfigAudit;
}

/** What the audit keeps of a subscription's fields: the URL without credentials or query, never the secret. */
function subscriptionAuditDetail(fields: Partial<Pick<BrigadeSubscription, 'name' | 'url' | 'severities' | 'kinds' | 'enabled'>>): Record<string, string | boolean> {
  const detail: Record<string, string | boolean> = {};
  if (fields.name !== undefined) detail['name'] = fields.name;
  if (fields.url !== undefined) detail['url'] = auditableUrl(fields.url);
  if (fields.severities !== undefined) detail['severities'] = fields.severities.join(',');
  if (fields.kinds !== undefined) detail['kinds'] = fields.kinds.join(',');
  if (fields.enabled !== undefined) detail['enabled'] = fields.enabled;
  return detail;
}

/** Coded API errors of the brigade push (fastify's error shape), next to the catalogue in api/errors.ts. */
export const BrigadeApiErrors = {
  InvalidSubscription: createError('GW_BRIGADE_INVALID_SUBSCRIPTION', '%s', 400),
  SubscriptionNotFound: createError('GW_BRIGADE_SUBSCRIPTION_NOT_FOUND', 'brigade subscription %s does not exist', 404),
  DeliveryNotFound: createError('GW_BRIGADE_DELIVERY_NOT_FOUND', 'brigade delivery %s does not exist', 404),
  AlreadyDelivered: createError('GW_BRIGADE_ALREADY_DELIVERED', 'brigade delivery %s was already delivered', 409),
};

const SUBSCRIPTION_ID = '^bs_[0-9a-f]{16}$';
const KIND = { type: 'string', pattern: '^[a-z][a-z0-9-]{0,31}$' } as const;
const SEVERITY = { type: 'string', enum: SEVERITIES } as const;

const subscriptionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    url: { type: 'string' },
    severities: { type: 'array', items: SEVERITY },
    kinds: { type: 'array', items: { type: 'string' } },
    enabled: { type: 'boolean' },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
  },
} as const;

const withSecretSchema = {
  type: 'object',
  properties: {
    subscription: subscriptionSchema,
    secret: { type: 'string', description: 'the HMAC signing secret, shown only this once' },
  },
} as const;

const attemptSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'integer' },
    statusCode: { type: ['integer', 'null'] },
    error: { type: ['string', 'null'] },
    durationMs: { type: 'integer' },
    outcome: { type: 'string', enum: ATTEMPT_OUTCOMES },
  },
} as const;

const deliverySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    subscriptionId: { type: 'string' },
    incidentId: { type: 'integer' },
    version: { type: 'integer' },
    type: { type: 'string', enum: WEBHOOK_EVENT_TYPES },
    update: { type: 'string' },
    idempotencyKey: { type: 'string' },
    status: { type: 'string', enum: DELIVERY_STATUSES },
    attempts: { type: 'integer' },
    nextAttemptAt: { type: 'integer' },
    createdAt: { type: 'integer' },
    retrySince: { type: 'integer' },
    updatedAt: { type: 'integer' },
    deliveredAt: { type: ['integer', 'null'] },
    lastStatusCode: { type: ['integer', 'null'] },
    lastError: { type: ['string', 'null'] },
    attemptLog: { type: 'array', items: attemptSchema, description: 'newest first' },
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: SUBSCRIPTION_ID } } } as const;
const deliveryParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

const editable = {
  name: { type: 'string', minLength: 1, maxLength: 120 },
  url: { type: 'string', minLength: 8, maxLength: 2048, description: 'http:// or https://, reachable from the gateway' },
  severities: { type: 'array', minItems: 1, maxItems: 4, items: SEVERITY },
  kinds: { type: 'array', minItems: 1, maxItems: 16, items: KIND },
  enabled: { type: 'boolean' },
} as const;

interface CreateBody {
  name: string;
  url: string;
  secret?: string;
  severities?: Severity[];
  kinds?: string[];
  enabled?: boolean;
}
type PatchBody = Partial<Omit<CreateBody, 'secret'>>;

interface DeliveryQuery {
  subscriptionId?: string;
  incidentId?: number;
  status?: DeliveryStatus;
  beforeId?: number;
  limit: number;
  attempts: number;
}

/** Admin routes of the fire-brigade push: subscriptions (the secret is shown once), deliveries with their attempt log, manual retry. */
export async function brigadeRoutes(app: FastifyInstance, options: BrigadeRoutesOptions): Promise<void> {
  const { subscriptions, outbox, auth } = options;
  const admin = (action: string) => requireRole(auth, ['admin'], action);
  const checked = <T>(work: () => T): T => {
    try {
      return work();
    } catch (err) {
      if (err instanceof SubscriptionInputError) throw new BrigadeApiErrors.InvalidSubscription(err.message);
      throw err;
    }
  };
  const withAttempts = (delivery: Delivery, limit: number) => ({ ...delivery, attemptLog: outbox.attempts(delivery.id, limit) });
  const audit = (by: string | undefined, action: ConfigAuditAction, id: string, detail: ConfigAuditDetail) =>
    options.audit?.append({ actor: by ?? 'unknown', subject: 'brigade-subscription', subjectId: id, action, detail });

  app.get(
    '/api/brigade/subscriptions',
    {
      preValidation: admin('list brigade subscriptions'),
      schema: { tags: ['brigade'], response: { 200: { type: 'object', properties: { subscriptions: { type: 'array', items: subscriptionSchema } } } } },
    },
    async () => ({ subscriptions: subscriptions.list() }),
  );

  app.post<{ Body: CreateBody }>(
    '/api/brigade/subscriptions',
    {
      preValidation: admin('create brigade subscriptions'),
      schema: {
        tags: ['brigade'],
        summary: 'Add a webhook receiver; the response carries its signing secret (given or generated), shown only this once',
        body: {
          type: 'object',
          required: ['name', 'url'],
          additionalProperties: false,
          properties: { ...editable, secret: { type: 'string', minLength: 24, maxLength: 256 } },
        },
        response: { 201: withSecretSchema },
      },
    },
    async (request, reply) => {
      const created = checked(() => subscriptions.create(request.body));
      request.log.info({ subscriptionId: created.subscription.id, origin: new URL(created.subscription.url).origin, by: request.principal?.name }, 'brigade subscription created');
      audit(request.principal?.name, 'create', created.subscription.id, subscriptionAuditDetail(created.subscription));
      return reply.code(201).send(created);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/brigade/subscriptions/:id',
    { preValidation: admin('read brigade subscriptions'), schema: { tags: ['brigade'], params: idParams, response: { 200: subscriptionSchema } } },
    async (request) => {
      const found = subscriptions.get(request.params.id);
      if (!found) throw new BrigadeApiErrors.SubscriptionNotFound(request.params.id);
      return found;
    },
  );

  app.patch<{ Params: { id: string }; Body: PatchBody }>(
    '/api/brigade/subscriptions/:id',
    {
      preValidation: admin('change brigade subscriptions'),
      schema: {
        tags: ['brigade'],
        summary: 'Change name, URL, filters or enabled (a disabled subscription gets nothing new and its pending deliveries wait)',
        params: idParams,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: editable },
        response: { 200: subscriptionSchema },
      },
    },
    async (request) => {
      const updated = checked(() => subscriptions.update(request.params.id, request.body));
      if (!updated) throw new BrigadeApiErrors.SubscriptionNotFound(request.params.id);
      request.log.info({ subscriptionId: updated.id, changed: Object.keys(request.body), by: request.principal?.name }, 'brigade subscription changed');
      // The name to know it by, and the fields sent (as they are now).
      audit(request.principal?.name, 'update', updated.id, { name: updated.name, ...subscriptionAuditDetail(request.body) });
      return updated;
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/brigade/subscriptions/:id/secret',
    {
      preValidation: admin('rotate brigade secrets'),
      schema: { tags: ['brigade'], summary: 'Issue a new signing secret (used from the next attempt on), shown only this once', params: idParams, response: { 200: withSecretSchema } },
    },
    async (request) => {
      const rotated = subscriptions.rotateSecret(request.params.id);
      if (!rotated) throw new BrigadeApiErrors.SubscriptionNotFound(request.params.id);
      request.log.info({ subscriptionId: request.params.id, by: request.principal?.name }, 'brigade subscription secret rotated');
      audit(request.principal?.name, 'rotate-secret', request.params.id, { name: rotated.subscription.name });
      return rotated;
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/brigade/subscriptions/:id',
    {
      preValidation: admin('delete brigade subscriptions'),
      schema: { tags: ['brigade'], summary: 'Remove a subscription with its deliveries and their log', params: idParams, response: { 204: { type: 'null' } } },
    },
    async (request, reply) => {
      const found = subscriptions.get(request.params.id);
      if (!found || !subscriptions.delete(request.params.id)) throw new BrigadeApiErrors.SubscriptionNotFound(request.params.id);
      request.log.info({ subscriptionId: request.params.id, by: request.principal?.name }, 'brigade subscription deleted');
      audit(request.principal?.name, 'delete', request.params.id, subscriptionAuditDetail({ name: found.name, url: found.url }));
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: DeliveryQuery }>(
    '/api/brigade/deliveries',
    {
      preValidation: admin('read brigade deliveries'),
      schema: {
        tags: ['brigade'],
        summary: 'Webhook deliveries, newest first, each with its latest attempts',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            subscriptionId: { type: 'string', pattern: SUBSCRIPTION_ID },
            incidentId: { type: 'integer', minimum: 1 },
            status: { type: 'string', enum: DELIVERY_STATUSES },
            beforeId: { type: 'integer', minimum: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            attempts: { type: 'integer', minimum: 0, maximum: 200, default: 20, description: 'attempts listed per delivery' },
          },
        },
        response: { 200: { type: 'object', properties: { deliveries: { type: 'array', items: deliverySchema } } } },
      },
    },
    async (request) => {
      const { attempts, ...filter } = request.query;
      return { deliveries: outbox.list(filter).map((d) => withAttempts(d, attempts)) };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/brigade/deliveries/:id',
    { preValidation: admin('read brigade deliveries'), schema: { tags: ['brigade'], params: deliveryParams, response: { 200: deliverySchema } } },
    async (request) => {
      const delivery = outbox.get(request.params.id);
      if (!delivery) throw new BrigadeApiErrors.DeliveryNotFound(String(request.params.id));
      return withAttempts(delivery, 200);
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/brigade/deliveries/:id/retry',
    {
      preValidation: admin('retry brigade deliveries'),
      schema: {
        tags: ['brigade'],
        summary: 'Send a failed, dead or waiting delivery again now (same idempotency key and body)',
        params: deliveryParams,
        response: { 200: deliverySchema },
      },
    },
    async (request) => {
      const result = outbox.retry(request.params.id);
      if (result === undefined) throw new BrigadeApiErrors.DeliveryNotFound(String(request.params.id));
      if (result === 'delivered') throw new BrigadeApiErrors.AlreadyDelivered(String(request.params.id));
      request.log.info({ deliveryId: result.id, by: request.principal?.name }, 'brigade delivery retried by hand');
      return withAttempts(result, 20);
    },
  );
}
