import type { FastifyInstance } from 'fastify';
import createError from '@fastify/error';
import { CLOSED, DispatchError, ON_ORDER } from '../../dispatch/dispatcher.js';
import { teamOrderView } from '../../dispatch/team-order.js';
import { INCIDENT_STATUSES, TransitionError, type IncidentStatus } from '../../incidents/incident-store.js';
import type { DeviceRegistry } from '../../registry/device-registry.js';
import type { ResponseSystem } from '../../response/response-system.js';
import { SEVERITIES, type Severity } from '../../rules/types.js';
import { TeamExistsError } from '../../teams/team-registry.js';
import { requireRole, type Principal, type PrincipalResolver } from '../auth.js';
import type { ConfigAudit } from '../../audit/config-audit.js';
import { incidentVisibleTo } from '../incident-visibility.js';
import { ApiErrors } from '../errors.js';

const IncidentNotFound = createError('GW_INCIDENT_NOT_FOUND', 'incident %s does not exist', 404);
const IncidentConflict = createError('GW_INCIDENT_CONFLICT', '%s', 409);
const DispatchRefused = createError('GW_DISPATCH_REFUSED', '%s', 409);
const TeamNotFound = createError('GW_TEAM_NOT_FOUND', 'team %s is not registered', 404);
const TeamInvalid = createError('GW_TEAM_INVALID', '%s', 400);
const NoRoadNetwork = createError('GW_NO_ROAD_NETWORK', 'no road network is loaded (set SITE_DIR)', 503);
const TeamRequired = createError('GW_TEAM_REQUIRED', '%s', 400);


/** The patrol team a principal belongs to (a `team` account's session carries it), if any. */
function teamOf(principal: Principal | undefined): string | undefined {
  const teamId = principal && 'teamId' in principal ? (principal as { teamId?: unknown }).teamId : undefined;
  return typeof teamId === 'string' && teamId !== '' ? teamId : undefined;
}

export interface IncidentRoutesOptions {
  auth: PrincipalResolver;
  response: ResponseSystem;
  devices: DeviceRegistry;
  /** Who registered or deleted which team. */
  audit?: ConfigAudit;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;
const noteBody = (field: string, required: boolean) =>
  ({ type: 'object', additionalProperties: false, ...(required ? { required: [field] } : {}), properties: { [field]: { type: 'string', minLength: 1, maxLength: 2000 } } }) as const;

export async function incidentRoutes(app: FastifyInstance, options: IncidentRoutesOptions): Promise<void> {
  const { auth, response } = options;
  const watchers = requireRole(auth, ['admin', 'operator', 'brigade', 'team'], 'read incidents');
  const operators = (action: string) => requireRole(auth, ['admin', 'operator'], action);
  const who = (request: { principal?: { name: string; role: string } }) => (request.principal ? `${request.principal.role}:${request.principal.name}` : 'unknown');
  /** A `team` caller acts for its own team only; one without a team acts for none. */
  const ownTeam = (request: { principal?: Principal }, action: string): string => {
    const teamId = teamOf(request.principal);
    if (!teamId) throw new ApiErrors.Forbidden(request.principal?.role ?? 'unknown', `${action}: it belongs to no team`);
    return teamId;
  };
  /** The team an order action is for: a team caller's own (the body may only repeat it), or the one an operator names. */
  const actingTeam = (request: { principal?: Principal }, action: string, named: string | undefined): string => {
    if (request.principal?.role === 'team') {
      const own = ownTeam(request, action);
      if (named !== undefined && named !== own) throw new ApiErrors.Forbidden('team', `${action} for team ${named} (it acts for team ${own})`);
      return own;
    }
    if (named === undefined) throw new TeamRequired(`${action}: say which team, {"teamId": "…"}`);
    return named;
  };
  /** A brigade asking for an incident its feed does not show gets the same 404 as for one that does not exist. */
  const mustExist = (id: number, principal?: Principal) => {
    const incident = response.incidents.get(id);
    if (!incident || !incidentVisibleTo(principal, incident)) throw new IncidentNotFound(String(id));
    return incident;
  };
  const lifecycle = <T>(work: () => T): T => {
    try {
      return work();
    } catch (err) {
      if (err instanceof TransitionError) throw new IncidentConflict(err.message);
      if (err instanceof DispatchError) throw new DispatchRefused(err.message);
      throw err;
    }
  };

  app.get<{ Querystring: { status?: IncidentStatus[]; severity?: Severity[]; kind?: string; open?: boolean; limit: number; beforeId?: number } }>(
    '/api/incidents',
    {
      preValidation: watchers,
      schema: {
        tags: ['incidents'],
        summary: 'Incidents, most severe first, then newest',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'array', items: { type: 'string', enum: INCIDENT_STATUSES } },
            severity: { type: 'array', items: { type: 'string', enum: SEVERITIES } },
            kind: { type: 'string', maxLength: 20 },
            open: { type: 'boolean' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
            beforeId: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
    async (request) => ({ incidents: response.incidents.list(request.query).filter((incident) => incidentVisibleTo(request.principal, incident)) }),
  );

  app.get<{ Params: { id: number } }>(
    '/api/incidents/:id',
    { preValidation: watchers, schema: { tags: ['incidents'], summary: 'An incident with its audit trail and dispatch history', params: idParams } },
    async (request) => {
      const incident = mustExist(request.params.id, request.principal);
      return { incident, audit: response.incidents.audit(incident.id), dispatches: response.orders.forIncident(incident.id) };
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/incidents/:id/ack',
    { preValidation: requireRole(auth, ['admin', 'operator', 'brigade'], 'acknowledge incidents'), schema: { tags: ['incidents'], params: idParams } },
    async (request) => {
      mustExist(request.params.id, request.principal);
      return { incident: response.manager.acknowledge(request.params.id, who(request)) };
    },
  );

  app.post<{ Params: { id: number }; Body: { teamId?: string } }>(
    '/api/incidents/:id/dispatch',
    {
      preValidation: operators('dispatch teams'),
      schema: {
        tags: ['incidents'],
        summary: 'Dispatch the fastest available team, or the team named',
        params: idParams,
        body: { type: 'object', additionalProperties: false, properties: { teamId: { type: 'string', maxLength: 64 } } },
      },
    },
    async (request) => {
      mustExist(request.params.id);
      const teamId = request.body?.teamId;
      try {
        const outcome = await response.dispatcher.dispatch(request.params.id, who(request), teamId ? { teamId, additional: true } : { additional: true });
        return { outcome, incident: response.incidents.get(request.params.id) };
      } catch (err) {
        if (err instanceof DispatchError) throw new DispatchRefused(err.message);
        throw err;
      }
    },
  );

  for (const [action, field, required] of [
    ['resolve', 'note', true],
    ['cancel', 'reason', true],
  ] as const) {
    app.post<{ Params: { id: number }; Body: Record<string, string> }>(
      `/api/incidents/:id/${action}`,
      {
        // A patrol team may resolve the incident it was sent to (on its way or on site); cancelling stays with the operators.
        preValidation: action === 'resolve' ? requireRole(auth, ['admin', 'operator', 'team'], 'resolve incidents') : operators(`${action} incidents`),
        schema: {
          tags: ['incidents'],
          ...(action === 'resolve' ? { summary: 'Close with a note: operators any incident, a team the one it was sent to' } : {}),
          params: idParams,
          body: noteBody(field, required),
        },
      },
      async (request) => {
        const incident = mustExist(request.params.id);
        if (request.principal?.role === 'team' && !CLOSED.has(incident.status)) {
          const own = ownTeam(request, 'resolve incidents');
          const onIt = response.orders.forIncident(incident.id).some((o) => o.teamId === own && ON_ORDER.has(o.status));
          if (!onIt) throw new ApiErrors.Forbidden('team', `resolve incident ${incident.id}: team ${own} was not sent to it`);
        }
        const text = request.body[field]!;
        return lifecycle(() => ({
          incident: action === 'resolve' ? response.manager.resolve(request.params.id, who(request), text) : response.manager.cancel(request.params.id, who(request), text),
        }));
      },
    );
  }

  for (const action of ['accept', 'arrived'] as const) {
    app.post<{ Params: { id: number }; Body: { teamId?: string } | undefined }>(
      `/api/incidents/:id/${action}`,
      {
        preValidation: requireRole(auth, ['admin', 'operator', 'team'], `${action} orders`),
        schema: {
          tags: ['incidents'],
          summary:
            action === 'accept'
              ? 'The team accepts its order (as its tracker can); a team account for its own team only, teamId optional'
              : 'The team reports it is on site; a team account for its own team only, teamId optional',
          params: idParams,
          body: { type: 'object', additionalProperties: false, properties: { teamId: { type: 'string', minLength: 1, maxLength: 64 } } },
        },
      },
      async (request) => {
        mustExist(request.params.id);
        const teamId = actingTeam(request, action === 'accept' ? 'accept orders' : 'report arrival', request.body?.teamId);
        return lifecycle(() => ({
          incident:
            action === 'accept'
              ? response.dispatcher.accept(teamId, who(request), request.params.id)
              : response.dispatcher.arrive(teamId, who(request), request.params.id),
        }));
      },
    );
  }

  app.get(
    '/api/teams/mine/order',
    {
      preValidation: requireRole(auth, ['team'], "read its team's order"),
      schema: {
        tags: ['teams'],
        summary: "The caller's team and the order it is on (what its tracker got, with status and clock), or order null",
      },
    },
    async (request) =>
      teamOrderView(
        { orders: response.orders, incidents: response.incidents, teams: response.teams, dispatcher: response.dispatcher },
        ownTeam(request, "read its team's order"),
        Date.now(),
      ),
  );

  app.get('/api/teams', { preValidation: requireRole(auth, ['admin', 'operator', 'brigade'], 'read teams'), schema: { tags: ['teams'], summary: 'Teams with live position, status and current incident' } }, async () => ({
    teams: response.teams.list(),
  }));

  app.post<{ Body: { id: string; name: string; trackerDeviceId: string } }>(
    '/api/teams',
    {
      preValidation: requireRole(auth, ['admin'], 'register teams'),
      schema: {
        tags: ['teams'],
        body: {
          type: 'object',
          required: ['id', 'name', 'trackerDeviceId'],
          additionalProperties: false,
          properties: { id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }, name: { type: 'string', minLength: 1, maxLength: 120 }, trackerDeviceId: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (request, reply) => {
      const tracker = options.devices.get(request.body.trackerDeviceId);
      if (!tracker || tracker.kind !== 'team') throw new TeamInvalid(`tracker ${request.body.trackerDeviceId} must be a registered device of kind team`);
      try {
        const team = response.teams.register(request.body, Date.now());
        options.audit?.append({ actor: request.principal?.name ?? 'unknown', subject: 'team', subjectId: team.id, action: 'register', detail: { name: team.name, trackerDeviceId: team.trackerDeviceId } });
        return reply.code(201).send({ team });
      } catch (err) {
        if (err instanceof TeamExistsError) throw new TeamInvalid(err.message);
        throw err;
      }
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/teams/:id',
    { preValidation: requireRole(auth, ['admin'], 'delete teams'), schema: { tags: ['teams'], params: { type: 'object', properties: { id: { type: 'string' } } } } },
    async (request, reply) => {
      const team = response.teams.get(request.params.id);
      if (!team || !response.teams.remove(request.params.id)) throw new TeamNotFound(request.params.id);
      options.audit?.append({ actor: request.principal?.name ?? 'unknown', subject: 'team', subjectId: team.id, action: 'delete', detail: { name: team.name, trackerDeviceId: team.trackerDeviceId } });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/coverage',
    {
      preValidation: requireRole(auth, ['admin', 'operator', 'brigade'], 'read coverage'),
      schema: { tags: ['teams'], summary: 'Road pieces no available team reaches within the target, as GeoJSON, and the covered share' },
    },
    async () => {
      const coverage = response.coverage();
      if (!coverage) throw new NoRoadNetwork();
      return {
        type: 'FeatureCollection',
        features: coverage.uncovered.features,
        properties: { coveredShare: coverage.coveredShare, coveredM: coverage.coveredM, totalM: coverage.totalM, targetSeconds: coverage.targetSeconds },
      };
    },
  );
}
