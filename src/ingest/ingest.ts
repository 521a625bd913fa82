import type { Logger } from 'pino';
import {
  isDecodeFailure,
  type DecodeContext,
  type DecodeError,
  type DeviceModel,
  type FieldType,
  type ProtectedCard,
  type Reading,
  type UplinkChannel,
} from '../../devices/model.js';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { Device } from '../registry/device-registry.js';
import type { DeadLetter } from '../store/outbox-types.js';
import { encodePoint } from './line-protocol.js';
import { PointClock } from './point-clock.js';

export type RejectReason =
  | 'oversize'
  | 'malformed'
  | 'schema'
  | 'timestamp'
  | 'unknown_model'
  | 'codec_error';

export interface TimedReading extends Reading {
  /** Time of the point in InfluxDB (device time where plausible, else receive time), epoch ms. */
  time: number;
}

export interface IngestedMessage {
  device: Device;
  channel: UplinkChannel;
  receivedAt: number;
  readings: TimedReading[];
  warnings: string[];
}

export interface RejectedMessage {
  device: Device;
  channel: UplinkChannel;
  receivedAt: number;
  reason: RejectReason;
  errors: DecodeError[];
}

export type IngestOutcome =
  | ({ status: 'stored' } & IngestedMessage)
  | ({ status: 'rejected' } & RejectedMessage);

/** What ingest needs from the outbox: durable appends, grouped with other messages. */
export interface DurableSink {
  append(lines: string[], messages?: number): Promise<void>;
  recordDurably(letter: DeadLetter): Promise<void>;
}

export interface ReplyMessage {
  status: 'rejected' | 'accepted';
  reason?: RejectReason | 'rate_limited';
  errors?: DecodeError[];
  warnings?: string[];
  msgId?: string;
  topic: string;
  receivedAt: number;
}

export interface IngestOptions {
  config: Config['ingest'];
  sink: DurableSink;
  findModel(id: string): DeviceModel | undefined;
  fieldTypes(measurement: string): Readonly<Record<string, FieldType>> | undefined;
  protectCardFor(site: string): (card: string) => ProtectedCard;
  reply(device: Device, message: ReplyMessage): void;
  metrics: Metrics;
  log: Logger;
  now?: () => number;
}

const PREVIEW_BYTES = 256;

/**
 * The ingest steps for one device message, in order:
 * size → model → decode → timestamps → encode → durable append.
 * A message that fails any step becomes a durable dead letter plus an
 * `ingest_rejects` point and a reply; it is never thrown away silently and
 * never throws. The returned promise settles once the outcome is on disk,
 * which is the moment a QoS 1 PUBACK may go out.
 */
export class Ingest {
  private readonly clock = new PointClock();
  private readonly now: () => number;
  private readonly fieldTypeCache = new Map<string, Readonly<Record<string, FieldType>>>();

  constructor(private readonly options: IngestOptions) {
    this.now = options.now ?? Date.now;
  }

  async handle(device: Device, channel: UplinkChannel, topic: string, payload: Buffer): Promise<IngestOutcome> {
    const receivedAt = this.now();
    const { metrics } = this.options;
    metrics.messagesIn.inc({ kind: device.kind, channel });
    const started = performance.now();

    const outcome = this.evaluate(device, channel, payload, receivedAt);
    if (outcome.status === 'rejected') {
      await this.reject(outcome, topic, payload);
    } else {
      const lines = this.encode(device, outcome.readings);
      await this.options.sink.append(lines, 1);
      metrics.messagesAcked.inc({ kind: device.kind });
      if (outcome.warnings.length > 0) {
        this.options.reply(device, { status: 'accepted', warnings: outcome.warnings, topic, receivedAt, ...msgIdOf(payload) });
      }
    }
    metrics.ingestSeconds.observe((performance.now() - started) / 1000);
    return outcome;
  }

  /** The pure part: no I/O. */
  evaluate(device: Device, channel: UplinkChannel, payload: Buffer, receivedAt: number): IngestOutcome {
    const { config } = this.options;
    const rejected = (reason: RejectReason, errors: DecodeError[]): IngestOutcome => ({
      status: 'rejected',
      device,
      channel,
      receivedAt,
      reason,
      errors,
    });

    if (payload.length > config.maxPayloadBytes) {
      return rejected('oversize', [{ path: '', message: `payload is ${payload.length} bytes; the limit is ${config.maxPayloadBytes}` }]);
    }
    const model = this.options.findModel(device.model);
    if (!model) {
      return rejected('unknown_model', [{ path: '', message: `device model "${device.model}" is not known to this gateway` }]);
    }
    const context: DecodeContext = {
      site: device.site,
      kind: device.kind,
      deviceId: device.id,
      channel,
      receivedAt,
      protectCard: this.options.protectCardFor(device.site),
    };
    let result;
    try {
      result = model.decode(payload, context);
    } catch (err) {
      this.options.log.error({ err, deviceId: device.id, model: device.model }, 'codec threw; treating the payload as rejected');
      return rejected('codec_error', [{ path: '', message: 'the device model could not decode this payload' }]);
    }
    if (isDecodeFailure(result)) return rejected(result.reason, result.errors);

    const warnings = [...(result.warnings ?? [])];
    const readings: TimedReading[] = [];
    for (const [index, reading] of result.data.entries()) {
      if (reading.ts === undefined) {
        readings.push({ ...reading, time: receivedAt });
        continue;
      }
      const lag = receivedAt - reading.ts;
      if (lag > config.tsMaxPastMs || -lag > config.tsMaxFutureMs) {
        const path = result.data.length > 1 ? `[${index}].ts` : 'ts';
        return rejected('timestamp', [{ path, message: describeAbsurdTime(reading.ts, lag, config.tsMaxPastMs, config.tsMaxFutureMs) }]);
      }
      if (Math.abs(lag) > config.clockSkewWarnMs && !warnings.some((w) => w.startsWith('clock skew'))) {
        warnings.push(`clock skew: device time is ${formatDuration(Math.abs(lag))} ${lag > 0 ? 'behind' : 'ahead of'} the gateway`);
        this.options.metrics.clockSkew.inc({ kind: device.kind });
      }
      readings.push({ ...reading, time: reading.ts, fields: { ...reading.fields, rx_lag_ms: Math.round(lag) } });
    }
    return { status: 'stored', device, channel, receivedAt, readings, warnings };
  }

  private encode(device: Device, readings: TimedReading[]): string[] {
    const lines: string[] = [];
    for (const reading of readings) {
      const line = encodePoint(
        {
          measurement: reading.measurement,
          tags: { ...reading.tags, site: device.site, kind: device.kind, model: device.model, device: device.id },
          fields: reading.fields,
          timeNs: this.clock.stamp(reading.time),
        },
        this.fieldTypesOf(reading.measurement),
      );
      if (line) lines.push(line);
    }
    return lines;
  }

  private fieldTypesOf(measurement: string): Readonly<Record<string, FieldType>> {
    let types = this.fieldTypeCache.get(measurement);
    if (types === undefined) {
      types = { rx_lag_ms: 'integer', ...this.options.fieldTypes(measurement) };
      this.fieldTypeCache.set(measurement, types);
    }
    return types;
  }

  private async reject(outcome: RejectedMessage, topic: string, payload: Buffer): Promise<void> {
    const { device, reason, errors, receivedAt } = outcome;
    const detail = errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
    this.options.metrics.messagesRejected.inc({ kind: device.kind, reason });
    this.options.log.warn({ deviceId: device.id, kind: device.kind, reason, detail }, 'payload rejected');
    const rejectLine = encodePoint(
      {
        measurement: 'ingest_rejects',
        tags: { site: device.site, kind: device.kind, model: device.model, device: device.id, reason },
        fields: { detail: detail.slice(0, 512), size: payload.length, channel: outcome.channel },
        timeNs: this.clock.stamp(receivedAt),
      },
      { size: 'integer' },
    );
    await Promise.all([
      this.options.sink.recordDurably({
        stage: 'ingest',
        reason,
        site: device.site,
        kind: device.kind,
        deviceId: device.id,
        topic,
        detail,
        // A lock's payload carries ID-card numbers: its bytes are never kept.
        ...(device.kind === 'lock' ? {} : { payloadPreview: previewOf(payload) }),
        payloadSize: payload.length,
        receivedAt,
      }),
      rejectLine ? this.options.sink.append([rejectLine], 0) : Promise.resolve(),
    ]);
    this.options.reply(device, { status: 'rejected', reason, errors, topic, receivedAt, ...msgIdOf(payload) });
  }
}

function previewOf(payload: Buffer): string {
  const head = payload.subarray(0, PREVIEW_BYTES);
  const text = head.toString('utf8');
  // Keep text readable; show binary as hex so junk stays inspectable.
  const printable = !text.includes('\uFFFD') && !/[\x00-\x08\x0e-\x1f]/.test(text);
  return (printable ? text : `hex:${head.toString('hex')}`) + (payload.length > PREVIEW_BYTES ? '…' : '');
}

function msgIdOf(payload: Buffer): { msgId?: string } {
  if (payload[0] !== 0x7b) return {};
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as { id?: unknown };
    return typeof parsed.id === 'string' && parsed.id.length <= 64 ? { msgId: parsed.id } : {};
  } catch {
    return {};
  }
}

function describeAbsurdTime(ts: number, lag: number, maxPast: number, maxFuture: number): string {
  const when = Number.isFinite(ts) && Math.abs(ts) < 8.64e15 ? new Date(ts).toISOString() : String(ts);
  const direction = lag > 0 ? 'in the past' : 'in the future';
  return `device time ${when} is ${formatDuration(Math.abs(lag))} ${direction}; accepted is ${formatDuration(maxPast)} back to ${formatDuration(maxFuture)} ahead`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 172_800_000) return `${Math.round(ms / 3_600_000)} h`;
  if (ms < 63_072_000_000) return `${Math.round(ms / 86_400_000)} days`;
  return `${Math.round(ms / 31_557_600_000)} years`;
}
