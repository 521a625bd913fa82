import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrors } from '../api/errors.js';
import type { Principal, PrincipalResolver, Role } from '../api/auth.js';

export interface WebPage {
  /** URL of the page, e.g. `/wall`. */
  path: string;
  /** HTML file under the public directory. */
  file: string;
  roles: readonly Role[];
}

export interface WebRoutesOptions {
  auth: PrincipalResolver;
  /** Where a visitor without a session is sent; `?next=` brings them back. */
  loginPath?: string;
  /** Defaults to `src/web/public` beside this file. */
  publicDir?: string;
  pages?: readonly WebPage[];
}

export const WEB_PAGES: readonly WebPage[] = [
  { path: '/wall', file: 'wall.html', roles: ['operator', 'admin'] },
  { path: '/brigade', file: 'brigade.html', roles: ['brigade', 'operator', 'admin'] },
  { path: '/install', file: 'install.html', roles: ['installer', 'admin'] },
  { path: '/admin', file: 'admin.html', roles: ['admin'] },
  { path: '/team', file: 'team.html', roles: ['team'] },
];

/** The public log-in page's file under the public directory (served at `loginPath`). */
const LOGIN_FILE = 'login.html';

/** Assets are served under this prefix; pages reference them as `/web/…`. */
export const ASSET_PREFIX = '/web/';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.html': 'text/html; charset=utf-8',
};

const DEFAULT_PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/**
 * The people's pages, as static files: no build step, no CDN (the command
 * centre may be offline). A page needs a principal with one of its roles
 * (no session → the login page); its assets are code and wording only — every
 * fact comes from `/api` and `/ws`, which check roles themselves — so they
 * are served to anyone, which also lets the login page share them.
 * Files are read on each request, so an edited page shows on reload.
 */
export async function webRoutes(app: FastifyInstance, options: WebRoutesOptions): Promise<void> {
  const publicDir = options.publicDir ?? DEFAULT_PUBLIC_DIR;
  const loginPath = options.loginPath ?? '/login';
  const pages = options.pages ?? WEB_PAGES;
  const assets = await listAssets(publicDir);
  for (const page of pages) {
    if (!assets.pages.has(page.file)) throw new Error(`webRoutes: page ${page.path} needs ${page.file} in ${publicDir}; it is not there`);
  }

  if (!assets.pages.has(LOGIN_FILE)) throw new Error(`webRoutes: the login page needs ${LOGIN_FILE} in ${publicDir}; it is not there`);
  // The login page is public: it is where a visitor without a session is sent.
  app.get(loginPath, { schema: { hide: true } }, async (request, reply) => sendFile(request, reply, join(publicDir, LOGIN_FILE), 'no-cache'));

  for (const page of pages) {
    app.get(page.path, { schema: { hide: true } }, async (request, reply) => {
      const principal = resolveQuietly(options.auth, request);
      if (!principal) return reply.redirect(`${loginPath}?next=${encodeURIComponent(page.path)}`, 302);
      if (!page.roles.includes(principal.role)) throw new ApiErrors.Forbidden(principal.role, `open ${page.path}`);
      return sendFile(request, reply, join(publicDir, page.file), 'private, no-cache');
    });
  }

  app.get<{ Params: { '*': string } }>(`${ASSET_PREFIX}*`, { schema: { hide: true } }, async (request, reply) => {
    const file = assets.files.get(request.params['*']);
    if (!file) return reply.code(404).type('application/json; charset=utf-8').send({ statusCode: 404, code: 'GW_ASSET_NOT_FOUND', error: 'Not Found', message: `no asset ${request.params['*']}` });
    return sendFile(request, reply, file, 'no-cache');
  });
}

function resolveQuietly(auth: PrincipalResolver, request: FastifyRequest): Principal | undefined {
  try {
    return auth.resolve(request);
  } catch {
    return undefined;
  }
}

async function sendFile(request: FastifyRequest, reply: FastifyReply, file: string, cacheControl: string): Promise<FastifyReply> {
  const body = await readFile(file);
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  reply.header('cache-control', cacheControl).header('etag', etag).type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.send(body);
}

/** Every servable file, keyed by its path under the public directory; nothing outside it can be named. */
async function listAssets(root: string): Promise<{ files: Map<string, string>; pages: Set<string> }> {
  const files = new Map<string, string>();
  const pages = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const key = relative(root, path).split(sep).join('/');
        // Pages are reached only through their route and its role check.
        if (extname(entry.name) === '.html') pages.add(key);
        else if (CONTENT_TYPES[extname(entry.name)]) files.set(key, path);
      }
    }
  };
  await walk(root);
  return { files, pages };
}
