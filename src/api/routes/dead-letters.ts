import type { FastifyInstance } from 'fastify';
import type { DeadLetterRecord } from '../../store/outbox.js';
import { requireRole, type PrincipalResolver } from '../auth.js';

export interface DeadLetterRoutesOptions {
  auth: PrincipalResolver;
  list(filter: { deviceId?: string; reason?: string; beforeId?: number; limit: number }): DeadLetterRecord[];
}

export async function deadLetterRoutes(app: FastifyInstance, options: DeadLetterRoutesOptions): Promise<void> {
  app.get<{ Querystring: { deviceId?: string; reason?: string; beforeId?: number; limit: number } }>(
    '/api/dead-letters',
    {
      preValidation: requireRole(options.auth, ['admin', 'operator', 'installer'], 'read dead letters'),
      schema: {
        tags: ['devices'],
        summary: 'Rejected input, newest first (why a device is not being heard)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            deviceId: { type: 'string', maxLength: 64 },
            reason: { type: 'string', maxLength: 40 },
            beforeId: { type: 'integer', minimum: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
      },
    },
    async (request) => ({ deadLetters: options.list(request.query) }),
  );
}
