import type { Timer } from 'mqtt';

/**
 * One timer for thousands of simulated devices: a binary heap of due times
 * drained by a single interval. Every heartbeat, event, flush, reconnect and
 * MQTT keep-alive of the fleet is an entry here, not a Node timer of its own.
 * A tick runs at most `maxPerTick` tasks (the rest wait for the next tick),
 * so a burst cannot starve the sockets' I/O.
 */

export type Task = () => void;

interface Entry {
  due: number;
  seq: number;
  task: Task;
  /** Repeat period (ms) for an interval; 0 for a one-shot. */
  every: number;
  cancelled: boolean;
}

export interface SchedulerOptions {
  tickMs?: number;
  maxPerTick?: number;
  now?: () => number;
  /** Called with a task's error; a failing task never stops the others. */
  onError?: (err: unknown) => void;
}

export class Scheduler {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private interval: NodeJS.Timeout | undefined;
  private readonly tickMs: number;
  private readonly maxPerTick: number;
  readonly now: () => number;
  private readonly onError: (err: unknown) => void;
  /** Tasks run and ticks that hit `maxPerTick`, for the summary line. */
  ran = 0;
  saturatedTicks = 0;

  constructor(options: SchedulerOptions = {}) {
    this.tickMs = options.tickMs ?? 20;
    this.maxPerTick = options.maxPerTick ?? 2000;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? ((err) => process.stderr.write(`simulator task failed: ${(err as Error).stack ?? String(err)}\n`));
  }

  get size(): number {
    return this.heap.length;
  }

  start(): void {
    this.interval ??= setInterval(() => this.runDue(), this.tickMs);
  }

  stop(): void {
    if (this.interval) clearInterval(this.interval);
    this.interval = undefined;
  }

  /** Runs `task` once at epoch ms `due` (or on the next tick if that is past). */
  at(due: number, task: Task): Entry {
    return this.push({ due, seq: this.seq++, task, every: 0, cancelled: false });
  }

  after(delayMs: number, task: Task): Entry {
    return this.at(this.now() + Math.max(0, delayMs), task);
  }

  every(periodMs: number, task: Task, firstDelayMs = periodMs): Entry {
    return this.push({ due: this.now() + firstDelayMs, seq: this.seq++, task, every: Math.max(1, periodMs), cancelled: false });
  }

  cancel(entry: Entry | undefined): void {
    if (entry) entry.cancelled = true;
  }

  /** Runs what is due; public so tests can drive a scheduler on a fake clock. */
  runDue(): number {
    const now = this.now();
    let ran = 0;
    while (ran < this.maxPerTick) {
      const top = this.heap[0];
      if (!top || top.due > now) break;
      this.pop();
      if (top.cancelled) continue;
      if (top.every > 0) {
        // Catch up without a burst: an interval that fell behind skips to the next period after now.
        top.due = Math.max(top.due + top.every, now + 1);
        this.push(top);
      }
      ran += 1;
      try {
        top.task();
      } catch (err) {
        this.onError(err);
      }
    }
    if (ran >= this.maxPerTick) this.saturatedTicks += 1;
    this.ran += ran;
    return ran;
  }

  /**
   * The interval timer MQTT.js asks for (its keep-alive): served from this
   * heap, so 10,000 clients do not hold 10,000 Node intervals.
   */
  mqttTimer(): Timer {
    const live = new Map<number, Entry>();
    let nextId = 1;
    return {
      // The signature is MQTT.js's (worker-timers'): an untyped callback.
      set: (callback: Function, delay?: number): number => {
        const id = nextId++;
        live.set(id, this.every(delay ?? 0, () => (callback as () => void)()));
        return id;
      },
      clear: (id: number): void => {
        this.cancel(live.get(id));
        live.delete(id);
      },
    };
  }

  private push(entry: Entry): Entry {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
    return entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    while (2 * i + 1 < heap.length) {
      const left = 2 * i + 1;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}

export type ScheduledTask = Entry;

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
