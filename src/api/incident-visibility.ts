import type { Incident } from '../incidents/incident-store.js';
import { audienceFor, seesIncident } from '../live/audience.js';
import type { Principal } from './auth.js';

/**
 * Through the API a role reads the incidents its live feed shows
 * (src/live/audience.ts): the fire brigade, an outside organisation, does not
 * read lock or e-bike incidents by asking for them by number. Roles without a
 * live-feed audience (team) read every incident, as before.
 */
export function incidentVisibleTo(principal: Principal | undefined, incident: Pick<Incident, 'kind' | 'brigadeNotified'>): boolean {
  const audience = principal ? audienceFor(principal.role) : undefined;
  return audience === undefined || seesIncident(audience, incident);
}
