import type { Logger } from 'pino';

/**
 * A typed in-process event bus. Listeners are isolated: one that throws is
 * logged and the others still run, so a fault in a downstream consumer (rules,
 * live wall) can never break ingest. Each `on` returns its own removal.
 */
export class EventBus<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  constructor(private readonly log: Logger) {}

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch (err) {
        this.log.error({ err, event }, 'event listener failed');
      }
    }
  }
}
