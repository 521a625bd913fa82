import type { FastifyInstance, FastifyReply } from 'fastify';
import { SITE_PATTERN } from '../../broker/topics.js';
import { TAG_ID_PATTERN } from '../../../devices/tagway/tag-id.js';
import { CARD_HASH_PATTERN, ROOM_MAX } from '../../registers/entry-fields.js';
import { RegisterApiErrors, RegisterInputError } from '../../registers/errors.js';
import type { Registers, Written } from '../../registers/registers.js';
import { REGISTER_NAMES, type RegisterName } from '../../registers/schema.js';
import { requireRole, type PrincipalResolver } from '../auth.js';

export interface RegisterRoutesOptions {
  registers: Registers;
  auth: PrincipalResolver;
}

/*
 * A clear card number only ever travels in a request body (never a URL, which
 * ends up in logs) and every response schema lists the fields it may carry,
 * so the serializer drops anything else.
 */

const site = { type: 'string', pattern: SITE_PATTERN.source } as const;
const room = { type: 'string', minLength: 1, maxLength: ROOM_MAX, description: 'as the lock reports it; URL-encode it in a path' } as const;
const cardHash = { type: 'string', pattern: CARD_HASH_PATTERN.source, description: 'HMAC-SHA-256 of the card under the site key' } as const;
const card = { type: 'string', minLength: 4, maxLength: 40, description: 'ID number or card UID; hashed and masked at once, never stored or returned' } as const;
const tag = { type: 'string', pattern: TAG_ID_PATTERN.source, description: 'T and 8 hex digits, as printed on the tag' } as const;
const epochMs = { type: 'integer', minimum: 0 } as const;
const nullableEpochMs = { type: ['integer', 'null'], minimum: 0 } as const;

const roomCardSchema = {
  type: 'object',
  properties: {
    site,
    room: { type: 'string' },
    cardHash: { type: 'string' },
    cardMasked: { type: 'string' },
    tenantName: { type: ['string', 'null'] },
    validUntil: nullableEpochMs,
    addedAt: epochMs,
    addedBy: { type: 'string' },
  },
} as const;

const blacklistSchema = {
  type: 'object',
  properties: {
    site,
    cardHash: { type: 'string' },
    cardMasked: { type: 'string' },
    reason: { type: 'string' },
    addedAt: epochMs,
    addedBy: { type: 'string' },
  },
} as const;

const stolenTagSchema = {
  type: 'object',
  properties: {
    tag: { type: 'string' },
    ownerName: { type: 'string' },
    ownerContact: { type: 'string', description: 'personal data for operators to call the owner back' },
    reportedAt: epochMs,
    note: { type: ['string', 'null'] },
    addedAt: epochMs,
    addedBy: { type: 'string' },
  },
} as const;

const auditSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: epochMs,
    actor: { type: 'string' },
    register: { type: 'string', enum: REGISTER_NAMES },
    action: { type: 'string', enum: ['add', 'update', 'remove'] },
    site: { type: ['string', 'null'] },
    key: { type: 'string', description: 'card hash or tag id' },
    detail: { type: 'object', additionalProperties: { type: ['string', 'number', 'null'] } },
  },
} as const;

const importReportSchema = {
  type: 'object',
  properties: {
    imported: { type: 'integer' },
    errors: { type: 'array', items: { type: 'object', properties: { line: { type: 'integer' }, message: { type: 'string' } } } },
  },
} as const;

const search = { type: 'string', minLength: 1, maxLength: 80 } as const;

const params = (properties: Record<string, unknown>) => ({ type: 'object', required: Object.keys(properties), properties }) as const;
const noContent = { 204: { type: 'null' } } as const;

/** Store input errors become 400s with the field and what was expected (never the value sent). */
function checked<T>(change: () => T): T {
  try {
    return change();
  } catch (err) {
    if (err instanceof RegisterInputError) throw new RegisterApiErrors.InvalidEntry(err.message);
    throw err;
  }
}

const answer = <T>(reply: FastifyReply, written: Written<T>) => reply.code(written.created ? 201 : 200).send(written.entry);

export async function registerRoutes(app: FastifyInstance, options: RegisterRoutesOptions): Promise<void> {
  const { registers, auth } = options;
  if (!registers || !auth) throw new TypeError('registerRoutes: options.registers and options.auth are required');
  const admin = (action: string) => requireRole(auth, ['admin'], action);
  const reader = (action: string) => requireRole(auth, ['admin', 'operator'], action);
  const actor = (request: { principal?: { name: string } }) => request.principal?.name ?? 'unknown';

  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  // --- rooms' cards ---

  app.get<{ Querystring: { site?: string; search?: string; limit: number; offset: number } }>(
    '/api/registers/room-cards',
    {
      preValidation: reader('read room cards'),
      schema: {
        tags: ['registers'],
        summary: "Every room's cards (masked and hashed) by site and room; search matches room, tenant or masked card (e.g. its last digits)",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            site,
            search: { ...search, description: 'never a clear card number: it would travel in the URL' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: { 200: { type: 'object', properties: { total: { type: 'integer' }, cards: { type: 'array', items: roomCardSchema } } } },
      },
    },
    async (request) => registers.roomCardList(request.query),
  );

  app.get<{ Params: { site: string; room: string } }>(
    '/api/registers/room-cards/:site/:room',
    {
      preValidation: reader('read room cards'),
      schema: {
        tags: ['registers'],
        summary: "Cards registered to a rental room (masked and hashed; a lock's swipe is checked against them)",
        params: params({ site, room }),
        response: { 200: { type: 'object', properties: { site, room: { type: 'string' }, cards: { type: 'array', items: roomCardSchema } } } },
      },
    },
    async (request) => ({ ...request.params, cards: registers.roomCards(request.params.site, request.params.room) }),
  );

  app.post<{ Params: { site: string; room: string }; Body: { card: string; tenantName?: string; validUntil?: number | null } }>(
    '/api/registers/room-cards/:site/:room',
    {
      preValidation: admin('register cards to rooms'),
      schema: {
        tags: ['registers'],
        summary: 'Register a tenant card to a room (201), or update its tenant and validity (200)',
        params: params({ site, room }),
        body: {
          type: 'object',
          required: ['card'],
          additionalProperties: false,
          properties: { card, tenantName: { type: 'string', maxLength: 80 }, validUntil: { ...nullableEpochMs, description: 'epoch ms, inclusive; null: no end' } },
        },
        response: { 200: roomCardSchema, 201: roomCardSchema },
      },
    },
    async (request, reply) => {
      const written = checked(() => registers.registerCard({ ...request.params, ...request.body }, actor(request)));
      request.log.info({ site: written.entry.site, room: written.entry.room, by: actor(request) }, written.created ? 'card registered to room' : 'room card updated');
      return answer(reply, written);
    },
  );

  app.patch<{ Params: { site: string; room: string; cardHash: string }; Body: { tenantName?: string | null; validUntil?: number | null } }>(
    '/api/registers/room-cards/:site/:room/:cardHash',
    {
      preValidation: admin('change room cards'),
      schema: {
        tags: ['registers'],
        summary: 'Change the tenant or validity of a registered card by its hash (no need to scan the card again)',
        params: params({ site, room, cardHash }),
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            tenantName: { type: ['string', 'null'], maxLength: 80, description: 'null or empty: none' },
            validUntil: { ...nullableEpochMs, description: 'epoch ms, inclusive; null: no end' },
          },
        },
        response: { 200: roomCardSchema },
      },
    },
    async (request, reply) => {
      const { site, room, cardHash } = request.params;
      const updated = checked(() => registers.updateRoomCard(site, room, cardHash, request.body, actor(request)));
      if (!updated) throw new RegisterApiErrors.RoomCardNotFound(cardHash, room, site);
      request.log.info({ site, room, by: actor(request) }, 'room card updated');
      return reply.send(updated);
    },
  );

  app.delete<{ Params: { site: string; room: string; cardHash: string } }>(
    '/api/registers/room-cards/:site/:room/:cardHash',
    {
      preValidation: admin('remove cards from rooms'),
      schema: { tags: ['registers'], summary: 'Remove a card from a room', params: params({ site, room, cardHash }), response: noContent },
    },
    async (request, reply) => {
      const { site, room, cardHash } = request.params;
      if (!registers.unregisterCard(site, room, cardHash, actor(request))) throw new RegisterApiErrors.RoomCardNotFound(cardHash, room, site);
      request.log.info({ site, room, by: actor(request) }, 'card removed from room');
      return reply.code(204).send();
    },
  );

  // --- card blacklist ---

  app.get<{ Querystring: { site?: string; search?: string } }>(
    '/api/registers/blacklist',
    {
      preValidation: reader('read the card blacklist'),
      schema: {
        tags: ['registers'],
        summary: 'Blacklisted cards (masked and hashed), per site; search matches the masked card or the reason',
        querystring: { type: 'object', additionalProperties: false, properties: { site, search } },
        response: { 200: { type: 'object', properties: { entries: { type: 'array', items: blacklistSchema } } } },
      },
    },
    async (request) => ({ entries: registers.blacklist(request.query.site, request.query.search) }),
  );

  app.post<{ Body: { site: string; card: string; reason: string } }>(
    '/api/registers/blacklist',
    {
      preValidation: admin('blacklist cards'),
      schema: {
        tags: ['registers'],
        summary: 'Blacklist a card at a site (201), or change the reason (200)',
        body: { type: 'object', required: ['site', 'card', 'reason'], additionalProperties: false, properties: { site, card, reason: { type: 'string', minLength: 1, maxLength: 200 } } },
        response: { 200: blacklistSchema, 201: blacklistSchema },
      },
    },
    async (request, reply) => {
      const written = checked(() => registers.blacklistCard(request.body, actor(request)));
      request.log.info({ site: written.entry.site, by: actor(request) }, written.created ? 'card blacklisted' : 'blacklist entry updated');
      return answer(reply, written);
    },
  );

  app.patch<{ Params: { site: string; cardHash: string }; Body: { reason: string } }>(
    '/api/registers/blacklist/:site/:cardHash',
    {
      preValidation: admin('change blacklist entries'),
      schema: {
        tags: ['registers'],
        summary: 'Change the reason of a blacklisted card by its hash (no need to scan the card again)',
        params: params({ site, cardHash }),
        body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: { type: 'string', minLength: 1, maxLength: 200 } } },
        response: { 200: blacklistSchema },
      },
    },
    async (request, reply) => {
      const { site, cardHash } = request.params;
      const updated = checked(() => registers.updateBlacklistReason(site, cardHash, request.body.reason, actor(request)));
      if (!updated) throw new RegisterApiErrors.CardNotBlacklisted(cardHash, site);
      request.log.info({ site, by: actor(request) }, 'blacklist entry updated');
      return reply.send(updated);
    },
  );

  app.delete<{ Params: { site: string; cardHash: string } }>(
    '/api/registers/blacklist/:site/:cardHash',
    {
      preValidation: admin('lift blacklist entries'),
      schema: { tags: ['registers'], summary: 'Take a card off the blacklist', params: params({ site, cardHash }), response: noContent },
    },
    async (request, reply) => {
      const { site, cardHash } = request.params;
      if (!registers.unblacklist(site, cardHash, actor(request))) throw new RegisterApiErrors.CardNotBlacklisted(cardHash, site);
      request.log.info({ site, by: actor(request) }, 'card taken off the blacklist');
      return reply.code(204).send();
    },
  );

  // --- stolen e-bike tags ---

  app.get<{ Querystring: { search?: string; limit: number; offset: number } }>(
    '/api/registers/stolen-tags',
    {
      preValidation: reader('read stolen tags'),
      schema: {
        tags: ['registers'],
        summary: 'E-bike tags reported stolen, most recent first; search matches tag, owner, contact or note',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            search: { type: 'string', minLength: 1, maxLength: 80 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: { 200: { type: 'object', properties: { total: { type: 'integer' }, tags: { type: 'array', items: stolenTagSchema } } } },
      },
    },
    async (request) => registers.stolenTags(request.query),
  );

  app.post<{ Body: { tag: string; ownerName: string; ownerContact: string; reportedAt?: number; note?: string } }>(
    '/api/registers/stolen-tags',
    {
      preValidation: admin('report stolen tags'),
      schema: {
        tags: ['registers'],
        summary: 'Report a tag stolen (201) or update the report (200); a reader that sees it raises an alert',
        body: {
          type: 'object',
          required: ['tag', 'ownerName', 'ownerContact'],
          additionalProperties: false,
          properties: {
            tag,
            ownerName: { type: 'string', minLength: 1, maxLength: 80 },
            ownerContact: { type: 'string', minLength: 1, maxLength: 80 },
            reportedAt: { ...epochMs, description: 'epoch ms; default now' },
            note: { type: 'string', maxLength: 500 },
          },
        },
        response: { 200: stolenTagSchema, 201: stolenTagSchema },
      },
    },
    async (request, reply) => {
      const written = checked(() => registers.reportStolen(request.body, actor(request)));
      request.log.info({ tag: written.entry.tag, by: actor(request) }, written.created ? 'tag reported stolen' : 'stolen tag report updated');
      return answer(reply, written);
    },
  );

  app.post<{ Params: { tag: string } }>(
    '/api/registers/stolen-tags/:tag/recover',
    {
      preValidation: admin('mark tags recovered'),
      schema: { tags: ['registers'], summary: "A stolen tag is back with its owner: its report (and the owner's contact) is deleted", params: params({ tag }), response: noContent },
    },
    async (request, reply) => {
      if (!checked(() => registers.recoverTag(request.params.tag, actor(request)))) throw new RegisterApiErrors.TagNotStolen(request.params.tag);
      request.log.info({ tag: request.params.tag.toUpperCase(), by: actor(request) }, 'stolen tag recovered');
      return reply.code(204).send();
    },
  );

  // --- audit ---

  app.get<{ Querystring: { register?: RegisterName; site?: string; key?: string; beforeId?: number; limit: number } }>(
    '/api/registers/audit',
    {
      preValidation: reader('read the register audit'),
      schema: {
        tags: ['registers'],
        summary: 'Changes to the registers, newest first (page with beforeId)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            register: { type: 'string', enum: REGISTER_NAMES },
            site,
            key: { type: 'string', maxLength: 64 },
            beforeId: { type: 'integer', minimum: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: { 200: { type: 'object', properties: { entries: { type: 'array', items: auditSchema } } } },
      },
    },
    async (request) => ({ entries: registers.audit(request.query) }),
  );

  // --- CSV ---

  for (const register of REGISTER_NAMES) {
    app.get<{ Querystring: { site?: string } }>(
      `/api/registers/${register}/export.csv`,
      {
        preValidation: reader(`export the ${register} register`),
        schema: {
          tags: ['registers'],
          summary: `The ${register} register as RFC 4180 CSV with a header row${register === 'stolen-tags' ? '' : ' (cards masked and hashed)'}`,
          produces: ['text/csv'],
          querystring: { type: 'object', additionalProperties: false, properties: register === 'stolen-tags' ? {} : { site } },
          response: { 200: { type: 'string' } },
        },
      },
      async (request, reply) =>
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${register}.csv"`)
          .send(registers.exportCsv(register, request.query)),
    );

    app.post<{ Body: string | { csv: string } }>(
      `/api/registers/${register}/import.csv`,
      {
        preValidation: admin(`import into the ${register} register`),
        schema: {
          tags: ['registers'],
          summary: `Import ${register} rows from RFC 4180 CSV with a header row; valid rows are kept, the others reported by line`,
          description:
            'The body is the CSV file (`text/csv`), or `{"csv": "<the file>"}` as `application/json` — how a page with a session cookie sends it (a state change with the cookie must be JSON).',
          consumes: ['text/csv', 'application/json'],
          body: { anyOf: [{ type: 'string' }, { type: 'object', required: ['csv'], additionalProperties: false, properties: { csv: { type: 'string' } } }] },
          response: { 200: importReportSchema },
        },
      },
      async (request) => {
        const text = typeof request.body === 'string' ? request.body : request.body.csv;
        const report = registers.importCsv(register, text, actor(request));
        request.log.info({ register, imported: report.imported, rejected: report.errors.length, by: actor(request) }, 'register CSV imported');
        return report;
      },
    );
  }
}
