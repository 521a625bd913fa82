import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus metric of the gateway, in one place so names stay
 * consistent. Modules receive this object; nothing uses the global registry,
 * so two gateways in one test process do not collide.
 */
export function createMetrics() {
  const registry = new Registry();
  try {
    collectDefaultMetrics({ register: registry, prefix: 'gateway_' });
  } catch {
    // Near the open-file limit the default collectors can throw EMFILE; metrics must never take the gateway down.
  }
  const messagesInTally = new Tally<'kind' | 'channel'>(['kind', 'channel']);
  const messagesAckedTally = new Tally<'kind'>(['kind']);
  const metrics = {
    registry,
    /** Per-message counts (see Tally); the counters below show them when read. */
    tallies: { messagesIn: messagesInTally, messagesAcked: messagesAckedTally },
    connections: new Gauge({ name: 'gateway_mqtt_connections', help: 'Authenticated MQTT connections', labelNames: ['kind'], registers: [registry] }),
    connectRefused: new Counter({ name: 'gateway_mqtt_connect_refused_total', help: 'CONNECTs refused', labelNames: ['reason'], registers: [registry] }),
    aclDenied: new Counter({ name: 'gateway_mqtt_acl_denied_total', help: 'Publishes or subscriptions refused by the ACL', labelNames: ['action'], registers: [registry] }),
    oversizePackets: new Counter({ name: 'gateway_mqtt_oversize_packets_total', help: 'Connections closed for an oversize MQTT packet', registers: [registry] }),
    messagesIn: new Counter({
      name: 'gateway_messages_in_total',
      help: 'Device messages received',
      labelNames: ['kind', 'channel'],
      registers: [registry],
      collect() {
        messagesInTally.drainInto(this);
      },
    }),
    messagesAcked: new Counter({
      name: 'gateway_messages_acked_total',
      help: 'Device messages made durable (QoS 1: PUBACK sent after this)',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        messagesAckedTally.drainInto(this);
      },
    }),
    messagesRejected: new Counter({ name: 'gateway_messages_rejected_total', help: 'Device messages rejected and dead-lettered', labelNames: ['kind', 'reason'], registers: [registry] }),
    rateLimited: new Counter({ name: 'gateway_rate_limited_total', help: 'Messages delayed by the per-device rate limit', labelNames: ['kind'], registers: [registry] }),
    clockSkew: new Counter({ name: 'gateway_clock_skew_total', help: 'Messages whose device time was far from receive time', labelNames: ['kind'], registers: [registry] }),
    ingestSeconds: new Histogram({
      name: 'gateway_ingest_seconds',
      help: 'Receive to durable (PUBACK may be sent) per message',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    }),
    outboxDepth: new Gauge({ name: 'gateway_outbox_depth_messages', help: 'Messages durable but not yet in InfluxDB', registers: [registry] }),
    outboxLines: new Gauge({ name: 'gateway_outbox_depth_lines', help: 'Line-protocol lines waiting in the outbox', registers: [registry] }),
    outboxFull: new Gauge({ name: 'gateway_outbox_full', help: '1 while the outbox is at its bound and PUBACKs are withheld', registers: [registry] }),
    commitMessages: new Histogram({
      name: 'gateway_outbox_commit_messages',
      help: 'Messages per group commit',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
      registers: [registry],
    }),
    batchLines: new Histogram({
      name: 'gateway_influx_batch_lines',
      help: 'Lines per InfluxDB write',
      buckets: [1, 10, 100, 500, 1000, 2000, 5000, 10000],
      registers: [registry],
    }),
    writeSeconds: new Histogram({
      name: 'gateway_influx_write_seconds',
      help: 'InfluxDB write latency',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    writeErrors: new Counter({ name: 'gateway_influx_write_errors_total', help: 'Failed InfluxDB writes', labelNames: ['kind'], registers: [registry] }),
    linesDeadLettered: new Counter({ name: 'gateway_influx_lines_dead_lettered_total', help: 'Lines refused by InfluxDB and dead-lettered', registers: [registry] }),
    devicesOnline: new Gauge({ name: 'gateway_devices_online', help: 'Devices currently online', labelNames: ['kind'], registers: [registry] }),
    coverageShare: new Gauge({ name: 'gateway_coverage_share', help: 'Share of road length an available team reaches within the arrival target', registers: [registry] }),
    availabilityChanges: new Counter({ name: 'gateway_availability_changes_total', help: 'Device online/offline transitions', labelNames: ['kind', 'state', 'reason'], registers: [registry] }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * prom-client hashes the label set on every `inc`, which showed up at a few
 * per cent of the main thread at 30,000 messages/s. On the per-message path
 * counts go into a plain number per label set (at most two label values, no
 * string building) and reach the counter whenever it is read.
 */
export class Tally<L extends string> {
  private readonly cells = new Map<string, Map<string, { labels: Partial<Record<L, string>>; count: number }>>();

  constructor(private readonly labelNames: readonly L[]) {}

  add(first: string, second = ''): void {
    let row = this.cells.get(first);
    if (row === undefined) {
      row = new Map();
      this.cells.set(first, row);
    }
    const cell = row.get(second);
    if (cell !== undefined) {
      cell.count++;
      return;
    }
    const values = [first, second];
    const labels = Object.fromEntries(this.labelNames.map((name, i) => [name, values[i]!])) as Partial<Record<L, string>>;
    row.set(second, { labels, count: 1 });
  }

  drainInto(counter: { inc(labels: Partial<Record<L, string>>, value: number): void }): void {
    for (const row of this.cells.values()) {
      for (const cell of row.values()) {
        if (cell.count === 0) continue;
        counter.inc(cell.labels, cell.count);
        cell.count = 0;
      }
    }
  }
}
