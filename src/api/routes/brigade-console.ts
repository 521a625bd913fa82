import type { FastifyInstance } from 'fastify';
import createError from '@fastify/error';
import type { Incident } from '../../incidents/incident-store.js';
import type { Device, DeviceRegistry } from '../../registry/device-registry.js';
import type { ResponseSystem } from '../../response/response-system.js';
import { haversineM } from '../../site/geo.js';
import { requireRole, type PrincipalResolver } from '../auth.js';
import { incidentVisibleTo } from '../incident-visibility.js';

const IncidentNotFound = createError('GW_INCIDENT_NOT_FOUND', 'incident %s does not exist', 404);

export interface BrigadeConsoleRoutesOptions {
  auth: PrincipalResolver;
  response: Pick<ResponseSystem, 'incidents' | 'locator'>;
  devices: Pick<DeviceRegistry, 'get' | 'list'>;
}

/**
 * A camera's health as the wall shows it: `online` is the registry's (kept by
 * the availability tracker: connection, Last Will, heartbeat timeout), and a
 * device named by an open incident is an alarm. Nothing is re-derived here
 * from heartbeats or last-seen times.
 */
export type CameraState = 'alarm' | 'online' | 'offline';

export interface NearbyCamera {
  id: string;
  name: string | null;
  lon: number;
  lat: number;
  place: string | null;
  zone: string | null;
  /** Straight-line distance from the incident, metres (rounded). */
  distanceM: number;
  state: CameraState;
  online: boolean;
  disabled: boolean;
  lastSeenAt: number | null;
  offlineReason: string | null;
  /** Open incidents naming this camera (tamper, video loss, offline, dark zone). */
  incidentIds: number[];
}

export interface NearbyCameras {
  incidentId: number;
  /** Where distances are measured from: the incident's position, else its device's; null when neither is known. */
  origin: { lon: number; lat: number } | null;
  /** Cameras of the incident's site with a position (the candidates). */
  candidates: number;
  cameras: NearbyCamera[];
}

export const DEFAULT_NEARBY_LIMIT = 5;
export const MAX_NEARBY_LIMIT = 50;

/** Open incidents by the device they name — the wall's alarm rule (a device named by an open incident is drawn as an alarm). */
export function alarmedDevices(incidents: readonly Pick<Incident, 'id' | 'deviceId'>[]): Map<string, number[]> {
  const byDevice = new Map<string, number[]>();
  for (const incident of incidents) {
    const list = byDevice.get(incident.deviceId);
    if (list) list.push(incident.id);
    else byDevice.set(incident.deviceId, [incident.id]);
  }
  return byDevice;
}

export function cameraState(device: Pick<Device, 'online'>, alarmed: boolean): CameraState {
  if (alarmed) return 'alarm';
  return device.online ? 'online' : 'offline';
}

/** The `limit` cameras of the incident's site nearest to it, nearest first (ties by id). */
export function nearbyCameras(incident: Incident, options: BrigadeConsoleRoutesOptions, limit: number): NearbyCameras {
  const { devices, response } = options;
  let origin: NearbyCameras['origin'] = null;
  if (incident.lon !== null && incident.lat !== null) origin = { lon: incident.lon, lat: incident.lat };
  else {
    const device = devices.get(incident.deviceId);
    if (device && device.lon !== null && device.lat !== null) origin = { lon: device.lon, lat: device.lat };
  }
  const cameras = devices.list({ site: incident.site, kind: 'camera' }).filter((d): d is Device & { lon: number; lat: number } => d.lon !== null && d.lat !== null);
  if (!origin) return { incidentId: incident.id, origin: null, candidates: cameras.length, cameras: [] };
  const from = origin;
  const nearest = cameras
    .map((device) => ({ device, distanceM: haversineM(from.lon, from.lat, device.lon, device.lat) }))
    .sort((a, b) => a.distanceM - b.distanceM || a.device.id.localeCompare(b.device.id))
    .slice(0, limit);
  const alarms = alarmedDevices(response.incidents.list({ open: true, limit: 1000 }));
  return {
    incidentId: incident.id,
    origin,
    candidates: cameras.length,
    cameras: nearest.map(({ device, distanceM }) => {
      const where = response.locator.locate(device);
      const incidentIds = alarms.get(device.id) ?? [];
      return {
        id: device.id,
        name: device.name,
        lon: device.lon,
        lat: device.lat,
        place: where.place ?? null,
        zone: where.zone ?? null,
        distanceM: Math.round(distanceM),
        state: cameraState(device, incidentIds.length > 0),
        online: device.online,
        disabled: device.disabled,
        lastSeenAt: device.lastSeenAt,
        offlineReason: device.offlineReason,
        incidentIds,
      };
    }),
  };
}

const cameraSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: ['string', 'null'] },
    lon: { type: 'number' },
    lat: { type: 'number' },
    place: { type: ['string', 'null'] },
    zone: { type: ['string', 'null'] },
    distanceM: { type: 'integer' },
    state: { type: 'string', enum: ['alarm', 'online', 'offline'] },
    online: { type: 'boolean' },
    disabled: { type: 'boolean' },
    lastSeenAt: { type: ['integer', 'null'] },
    offlineReason: { type: ['string', 'null'] },
    incidentIds: { type: 'array', items: { type: 'integer' } },
  },
} as const;

/**
 * What the fire brigade's console (`/brigade`, docs/brigade-console.md) needs
 * besides the incident API and the live feed: the cameras nearest an incident
 * and their health, so the brigade knows which pictures it can trust.
 */
export async function brigadeConsoleRoutes(app: FastifyInstance, options: BrigadeConsoleRoutesOptions): Promise<void> {
  app.get<{ Params: { id: number }; Querystring: { limit: number } }>(
    '/api/incidents/:id/nearby-cameras',
    {
      preValidation: requireRole(options.auth, ['brigade', 'operator', 'admin'], 'read the cameras near an incident'),
      schema: {
        tags: ['incidents'],
        summary: 'The cameras nearest an incident (straight line, same site), nearest first, with their health: alarm (named by an open incident), online or offline',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_NEARBY_LIMIT, default: DEFAULT_NEARBY_LIMIT } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              incidentId: { type: 'integer' },
              origin: { type: ['object', 'null'], properties: { lon: { type: 'number' }, lat: { type: 'number' } } },
              candidates: { type: 'integer' },
              cameras: { type: 'array', items: cameraSchema },
            },
          },
        },
      },
    },
    async (request) => {
      const incident = options.response.incidents.get(request.params.id);
      if (!incident || !incidentVisibleTo(request.principal, incident)) throw new IncidentNotFound(String(request.params.id));
      return nearbyCameras(incident, options, request.query.limit);
    },
  );
}
