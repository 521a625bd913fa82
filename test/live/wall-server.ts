import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CompositeResolver, SessionResolver } from '../../src/accounts/session-resolver.js';
import WebSocket from 'ws';
import type { Principal, PrincipalResolver, Role } from '../../src/api/auth.js';
import { createHttpServer } from '../../src/api/http-server.js';
import { incidentRoutes } from '../../src/api/routes/incidents.js';
import { siteRoutes } from '../../src/api/routes/site.js';
import { createLiveFeed, type LiveFeed, type LiveFeedOptions } from '../../src/live/live-feed.js';
import type { FeedMessage } from '../../src/live/wire.js';
import { webRoutes } from '../../src/web/web-routes.js';
import type { Harness } from '../support/gateway-harness.js';

/** The test's stand-in for the `vsg_session` cookie: `vsg_test=<role>` is a person of that role. */
export const TEST_COOKIE = 'vsg_test';

export class TestCookieResolver implements PrincipalResolver {
  resolve(request: FastifyRequest): Principal | undefined {
    const header = request.headers.cookie ?? '';
    for (const pair of header.split(';')) {
      const [name, value] = pair.trim().split('=');
      if (name === TEST_COOKIE && value) return { name: `${value}-1`, role: value as Role };
    }
    return undefined;
  }
}

export const cookieFor = (role: Role) => `${TEST_COOKIE}=${role}`;

export interface WallServer {
  url: string;
  port: number;
  feed: LiveFeed;
  app: FastifyInstance;
  stop(): Promise<void>;
}

/**
 * The gateway's own pieces (bus, registry, incidents, metrics) behind a
 * second HTTP server carrying what the wall needs — `/ws`, `/wall`, `/web/…`,
 * `/api/site` and the incident API — until the gateway wires them itself.
 * People are the test cookie or a real `vsg_session` of the gateway's accounts.
 */
export async function startWallServer(h: Harness, feedOptions: Partial<LiveFeedOptions> = {}): Promise<WallServer> {
  const { gateway } = h;
  const auth = feedOptions.auth ?? new CompositeResolver([new TestCookieResolver(), new SessionResolver(gateway.accounts)]);
  const feed = createLiveFeed({
    bus: gateway.bus,
    registry: gateway.registry,
    response: gateway.response,
    metrics: gateway.metrics,
    outboxDepth: () => gateway.outbox.depth().messages,
    auth,
    log: gateway.log,
    maintenance: gateway.maintenance,
    ...feedOptions,
  });
  const app = await createHttpServer({
    log: gateway.log,
    trustProxy: false,
    upgrades: { '/ws': (request, socket, head) => feed.handleUpgrade(request, socket, head) },
  });
  await app.register(webRoutes, { auth });
  await app.register(siteRoutes, { auth, response: gateway.response });
  await app.register(incidentRoutes, { auth, response: gateway.response, devices: gateway.registry });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    feed,
    app,
    async stop() {
      await feed.stop();
      await app.close();
    },
  };
}

export interface FeedConnection {
  ws: WebSocket;
  messages: FeedMessage[];
  /** The first message (already received or still to come) after `from` that matches. */
  next<T extends FeedMessage>(match: (m: FeedMessage) => m is T, ms?: number): Promise<T>;
  waitFor(what: string, match: (m: FeedMessage) => boolean, ms?: number): Promise<FeedMessage>;
  close(): Promise<void>;
}

export function openFeed(port: number, options: { cookie?: string; query?: string; headers?: Record<string, string> } = {}): Promise<FeedConnection> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws${options.query ?? ''}`, {
      headers: { ...(options.cookie ? { cookie: options.cookie } : {}), ...options.headers },
    });
    const messages: FeedMessage[] = [];
    const waiters = new Set<() => void>();
    ws.on('message', (data) => {
      messages.push(JSON.parse(String(data)) as FeedMessage);
      for (const wake of waiters) wake();
    });
    const waitFor = (what: string, match: (m: FeedMessage) => boolean, ms = 5000) =>
      new Promise<FeedMessage>((ok, fail) => {
        let seen = 0;
        const check = () => {
          for (; seen < messages.length; seen++) {
            const message = messages[seen]!;
            if (match(message)) {
              clearTimeout(timer);
              waiters.delete(check);
              ok(message);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          fail(new Error(`no feed message for ${what} within ${ms} ms (${messages.length} received)`));
        }, ms);
        waiters.add(check);
        check();
      });
    ws.once('open', () =>
      resolve({
        ws,
        messages,
        next: (match, ms) => waitFor('a match', match, ms) as Promise<never>,
        waitFor,
        close: () =>
          new Promise<void>((done) => {
            if (ws.readyState === WebSocket.CLOSED) return done();
            ws.once('close', () => done());
            ws.close();
          }),
      }),
    );
    ws.once('unexpected-response', (_request, response) => reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { statusCode: response.statusCode })));
    ws.once('error', reject);
  });
}
