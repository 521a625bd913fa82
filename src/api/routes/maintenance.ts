import createError from '@fastify/error';
import type { FastifyInstance } from 'fastify';
import { SITE_PATTERN } from '../../broker/topics.js';
import { MAINTENANCE_SCOPES, type MaintenanceScope } from '../../maintenance/maintenance-store.js';
import { MaintenanceAlreadyEnded, MaintenanceInputError, REASON_MAX, type Maintenance } from '../../maintenance/maintenance.js';
import { requireRole, type PrincipalResolver } from '../auth.js';
import type { ConfigAudit } from '../../audit/config-audit.js';

export interface MaintenanceRoutesOptions {
  maintenance: Maintenance;
  auth: PrincipalResolver;
  /** Planning and ending windows go into the configuration audit (who held back which alarms' neighbours, and when). */
  audit?: ConfigAudit;
}

const MaintenanceInvalid = createError('GW_MAINTENANCE_INVALID', '%s', 400);
const MaintenanceNotFound = createError('GW_MAINTENANCE_NOT_FOUND', 'maintenance window %s does not exist', 404);
const MaintenanceEnded = createError('GW_MAINTENANCE_ENDED', '%s', 409);

const site = { type: 'string', pattern: SITE_PATTERN.source } as const;
const epochMs = { type: 'integer', minimum: 0 } as const;
const nullableEpochMs = { type: ['integer', 'null'], minimum: 0 } as const;

const windowSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    site,
    scope: { type: 'string', enum: MAINTENANCE_SCOPES },
    target: { type: ['string', 'null'], description: 'device id (scope device), zone id (scope zone), null (scope site)' },
    reason: { type: 'string' },
    startsAt: epochMs,
    endsAt: { ...epochMs, description: 'planned end' },
    createdBy: { type: 'string' },
    createdAt: epochMs,
    endedAt: { ...nullableEpochMs, description: 'set when ended early (or cancelled before its start)' },
    endedBy: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['upcoming', 'active', 'ended'] },
  },
} as const;

/**
 * Planned maintenance windows (docs/maintenance.md): while one covers a
 * device, its going offline or silent raises no incident; alarms always do.
 */
export async function maintenanceRoutes(app: FastifyInstance, options: MaintenanceRoutesOptions): Promise<void> {
  const { maintenance, auth } = options;
  if (!maintenance || !auth) throw new TypeError('maintenanceRoutes: options.maintenance and options.auth are required');
  const writer = (action: string) => requireRole(auth, ['admin', 'operator'], action);
  const reader = requireRole(auth, ['admin', 'operator', 'brigade'], 'read maintenance windows');
  const actor = (request: { principal?: { name: string } }) => request.principal?.name ?? 'unknown';

  app.get<{ Querystring: { site?: string } }>(
    '/api/maintenance',
    {
      preValidation: reader,
      schema: {
        tags: ['maintenance'],
        summary: 'Maintenance windows: active, upcoming, and ended in the last 24 hours',
        querystring: { type: 'object', additionalProperties: false, properties: { site } },
        response: { 200: { type: 'object', properties: { windows: { type: 'array', items: windowSchema } } } },
      },
    },
    async (request) => ({ windows: maintenance.list(request.query) }),
  );

  app.post<{ Body: { site: string; scope: MaintenanceScope; target?: string | null; reason: string; startsAt?: number; endsAt: number } }>(
    '/api/maintenance',
    {
      preValidation: writer('plan maintenance'),
      schema: {
        tags: ['maintenance'],
        summary: 'Plan a maintenance window on a device, a zone of the site map or a whole site (at most 7 days); its offline and silent devices raise no incident, alarms still do',
        body: {
          type: 'object',
          required: ['site', 'scope', 'reason', 'endsAt'],
          additionalProperties: false,
          properties: {
            site,
            scope: { type: 'string', enum: MAINTENANCE_SCOPES },
            target: { type: ['string', 'null'], minLength: 1, maxLength: 128, description: 'device id (scope device) or zone id of the site map (scope zone); absent for scope site' },
            reason: { type: 'string', minLength: 1, maxLength: REASON_MAX },
            startsAt: { ...epochMs, description: 'epoch ms; default now' },
            endsAt: { ...epochMs, description: 'epoch ms, after the start and at most 7 days after it' },
          },
        },
        response: { 201: windowSchema },
      },
    },
    async (request, reply) => {
      let created;
      try {
        created = maintenance.create(request.body, actor(request));
      } catch (err) {
        if (err instanceof MaintenanceInputError) throw new MaintenanceInvalid(err.message);
        throw err;
      }
      request.log.info({ id: created.id, site: created.site, scope: created.scope, target: created.target, by: actor(request) }, 'maintenance window planned');
      options.audit?.append({
        actor: actor(request),
        subject: 'maintenance-window',
        subjectId: String(created.id),
        action: 'create',
        detail: { site: created.site, scope: created.scope, target: created.target, reason: created.reason, startsAt: created.startsAt, endsAt: created.endsAt },
      });
      return reply.code(201).send(created);
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/maintenance/:id/end',
    {
      preValidation: writer('end maintenance'),
      schema: {
        tags: ['maintenance'],
        summary: 'End a maintenance window now (or cancel one not yet started); devices still offline are then reported',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        response: { 200: windowSchema },
      },
    },
    async (request) => {
      let ended;
      try {
        ended = maintenance.end(request.params.id, actor(request));
      } catch (err) {
        if (err instanceof MaintenanceAlreadyEnded) throw new MaintenanceEnded(err.message);
        throw err;
      }
      if (!ended) throw new MaintenanceNotFound(request.params.id);
      request.log.info({ id: ended.id, by: actor(request) }, 'maintenance window ended');
      options.audit?.append({ actor: actor(request), subject: 'maintenance-window', subjectId: String(ended.id), action: 'end', detail: { site: ended.site, scope: ended.scope, target: ended.target } });
      return ended;
    },
  );
}
