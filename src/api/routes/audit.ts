import type { FastifyInstance } from 'fastify';
import { CONFIG_AUDIT_ACTIONS, CONFIG_AUDIT_MAX_LIMIT, CONFIG_AUDIT_SUBJECTS, type ConfigAudit, type ConfigAuditSubject } from '../../audit/config-audit.js';
import { requireRole, type PrincipalResolver } from '../auth.js';

export interface AuditRoutesOptions {
  audit: ConfigAudit;
  auth: PrincipalResolver;
}

const entrySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'integer', description: 'epoch ms' },
    actor: { type: 'string', description: 'the account or token name that made the change' },
    subject: { type: 'string', enum: CONFIG_AUDIT_SUBJECTS },
    subjectId: { type: 'string', description: 'device id, team id, subscription id…' },
    action: { type: 'string', enum: CONFIG_AUDIT_ACTIONS },
    detail: {
      type: 'object',
      description: 'site, kind, model, name, URL without credentials or query…; never a secret',
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
    },
  },
} as const;

interface AuditQuery {
  subject?: ConfigAuditSubject;
  subjectId?: string;
  beforeId?: number;
  limit: number;
}

/**
 * `GET /api/audit`: who changed the gateway's configuration (devices, teams,
 * brigade subscriptions), newest first. Accounts and registers have their
 * own trails (`/api/accounts/:username/audit`, `/api/registers/audit`).
 */
export async function auditRoutes(app: FastifyInstance, options: AuditRoutesOptions): Promise<void> {
  const { audit, auth } = options;
  app.get<{ Querystring: AuditQuery }>(
    '/api/audit',
    {
      preValidation: requireRole(auth, ['admin'], 'read the configuration audit'),
      schema: {
        tags: ['audit'],
        summary: 'Changes to devices, teams and brigade subscriptions, who made them, newest first (page with beforeId)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            subject: { type: 'string', enum: CONFIG_AUDIT_SUBJECTS },
            subjectId: { type: 'string', minLength: 1, maxLength: 128 },
            beforeId: { type: 'integer', minimum: 1 },
            limit: { type: 'integer', minimum: 1, maximum: CONFIG_AUDIT_MAX_LIMIT, default: 100 },
          },
        },
        response: { 200: { type: 'object', properties: { entries: { type: 'array', items: entrySchema } } } },
      },
    },
    async (request) => ({ entries: audit.list(request.query) }),
  );
}
