import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

export interface OperationsRoutesOptions {
  checks: readonly ReadinessCheck[];
  registry: Registry;
  /** Refreshes gauges that are read rather than pushed (outbox depth, ...). */
  beforeScrape(): void;
}

export async function operationsRoutes(app: FastifyInstance, options: OperationsRoutesOptions): Promise<void> {
  app.get('/healthz', { schema: { tags: ['operations'], summary: 'The process is alive' } }, async () => ({ status: 'ok' }));

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Ready to take device traffic: broker listening, SQLite writable, InfluxDB reachable, outbox under its bound',
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(
        options.checks.map(async (c) => {
          try {
            return { name: c.name, ...(await c.check()) };
          } catch (err) {
            return { name: c.name, ok: false, detail: (err as Error).message };
          }
        }),
      );
      const ready = results.every((r) => r.ok);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: results });
    },
  );

  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus text exposition' } }, async (_request, reply) => {
    try {
      options.beforeScrape();
    } catch {
      // A failed refresh (e.g. EMFILE near the open-file limit) must not fail the scrape.
    }
    const body = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(body);
  });
}
