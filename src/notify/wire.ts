import type { EventBus } from '../event-bus.js';
import type { Incident } from '../incidents/incident-store.js';
import type { BrigadeSubscriptions } from './subscriptions.js';
import type { WebhookOutbox } from './webhook-outbox.js';

/** The two gateway bus events the brigade push listens to (GatewayEvents' `incident` and `brigade`). */
export interface BrigadeEvents extends Record<string, unknown> {
  incident: Incident;
  brigade: { incident: Incident; reason: string };
}

export interface BrigadeWiring {
  subscriptions: Pick<BrigadeSubscriptions, 'matching'>;
  outbox: Pick<WebhookOutbox, 'brigadeTold' | 'incidentChanged'>;
}

/**
 * `brigade` → the first push (incident.opened) to every matching subscription;
 * `incident` → for incidents already pushed, what changed (status, severity, team).
 * Enqueueing is synchronous and durable before the listener returns; the
 * dispatcher sends. Returns the unsubscribe.
 */
export function wireBrigadeNotifications<E extends BrigadeEvents>(bus: EventBus<E>, { subscriptions, outbox }: BrigadeWiring): () => void {
  const matching = (incident: Incident) => subscriptions.matching(incident);
  const offBrigade = bus.on('brigade', ({ incident, reason }) => {
    outbox.brigadeTold(incident, reason, matching);
  });
  const offIncident = bus.on('incident', (incident) => {
    outbox.incidentChanged(incident, matching);
  });
  return () => {
    offBrigade();
    offIncident();
  };
}
