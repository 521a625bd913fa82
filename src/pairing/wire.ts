import type { AvailabilityChange } from '../ingest/availability.js';
import type { IngestedMessage, RejectedMessage } from '../ingest/ingest.js';
import type { Commissioning } from './commissioning.js';
import { onRefusal } from './refusals.js';

/** The part of the gateway's event bus pairing listens to (`EventBus<GatewayEvents>` fits). */
export interface PairingEvents {
  ingested: IngestedMessage;
  rejected: RejectedMessage;
  availability: AvailabilityChange;
}

export interface PairingBus {
  on<K extends keyof PairingEvents>(event: K, listener: (payload: PairingEvents[K]) => void): () => void;
}

export interface WireOptions {
  /** How often overdue devices are announced to live listeners. Default 15 s. */
  sweepIntervalMs?: number;
  /** Also follow the module-level `recordRefusal` hook. Default true. */
  refusalHook?: boolean;
}

/**
 * Feeds the commissioning tracker from the bus (first message, test event,
 * logins, rejected payloads) and from the broker's refusal hook. Returns the
 * unsubscribe, which also stops the overdue sweep.
 */
export function wirePairing(bus: PairingBus, commissioning: Commissioning, options: WireOptions = {}): () => void {
  const removals = [
    bus.on('ingested', (message) => commissioning.onIngested(message)),
    bus.on('rejected', (message) => commissioning.onRejected(message)),
    bus.on('availability', (change) => commissioning.onAvailability(change)),
  ];
  if (options.refusalHook !== false) {
    removals.push(onRefusal((deviceId, reason, detail, at) => commissioning.recordRefusal(deviceId, reason, detail, at)));
  }
  const timer = setInterval(() => commissioning.sweep(), options.sweepIntervalMs ?? 15_000);
  timer.unref();
  return () => {
    clearInterval(timer);
    for (const remove of removals) remove();
  };
}
