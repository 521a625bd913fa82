import {
  isDecodeFailure,
  type DecodeContext,
  type DecodeError,
  type DeviceKind,
  type DeviceModel,
  type FieldType,
  type ProtectedCard,
  type Reading,
  type UplinkChannel,
} from '../../devices/model.js';
import type { Config } from '../config.js';
import type { DeadLetter } from '../store/outbox-types.js';
import { deviceTopic } from '../broker/topics.js';
import { encodePoint } from './line-protocol.js';
import { PointClock } from './point-clock.js';

export type RejectReason = 'oversize' | 'malformed' | 'schema' | 'timestamp' | 'unknown_model' | 'codec_error';

/** What decoding needs to know about the sender. */
export interface UplinkDevice {
  id: string;
  site: string;
  kind: DeviceKind;
  model: string;
}

export interface TimedReading extends Reading {
  /** Time of the point in InfluxDB (device time where plausible, else receive time), epoch ms. */
  time: number;
}

/** The outcome the rest of the gateway sees: no line protocol, no dead-letter record. */
export type UplinkVerdict =
  | { status: 'stored'; readings: TimedReading[]; warnings: string[]; skewed: boolean; msgId?: string }
  | { status: 'rejected'; reason: RejectReason; errors: DecodeError[]; msgId?: string; fault?: string };

/** A verdict plus what must become durable with it. */
export interface DecodedUplink {
  verdict: UplinkVerdict;
  lines: string[];
  deadLetter?: DeadLetter;
}

export interface UplinkDecoderOptions {
  config: Config['ingest'];
  findModel(id: string): DeviceModel | undefined;
  fieldTypes(measurement: string): Readonly<Record<string, FieldType>> | undefined;
  protectCardFor(site: string): (card: string) => ProtectedCard;
}

const PREVIEW_BYTES = 256;

/**
 * The pure ingest steps for one device message, in order:
 * size → model → decode → timestamps → line protocol.
 * A message that fails a step becomes a dead-letter record plus an
 * `ingest_rejects` line; nothing here throws, nothing does I/O. It runs on the
 * outbox thread (see ingest.ts), so card numbers are protected before a
 * reading ever reaches the main thread.
 */
export class UplinkDecoder {
  private readonly clock = new PointClock();
  private readonly fieldTypeCache = new Map<string, Readonly<Record<string, FieldType>>>();

  constructor(private readonly options: UplinkDecoderOptions) {}

  decode(device: UplinkDevice, channel: UplinkChannel, payload: Buffer, receivedAt: number): DecodedUplink {
    const verdict = this.evaluate(device, channel, payload, receivedAt);
    if (verdict.status === 'stored') {
      if (verdict.warnings.length > 0) Object.assign(verdict, msgIdOf(payload));
      return { verdict, lines: this.encode(device, verdict.readings) };
    }
    Object.assign(verdict, msgIdOf(payload));
    return { verdict, ...this.rejectRecords(device, channel, payload, receivedAt, verdict) };
  }

  evaluate(device: UplinkDevice, channel: UplinkChannel, payload: Buffer, receivedAt: number): UplinkVerdict {
    const { config } = this.options;
    const rejected = (reason: RejectReason, errors: DecodeError[], fault?: string): UplinkVerdict => ({
      status: 'rejected',
      reason,
      errors,
      ...(fault !== undefined ? { fault } : {}),
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
      return rejected('codec_error', [{ path: '', message: 'the device model could not decode this payload' }], (err as Error)?.message ?? String(err));
    }
    if (isDecodeFailure(result)) return rejected(result.reason, result.errors);

    const warnings = [...(result.warnings ?? [])];
    let skewed = false;
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
      if (Math.abs(lag) > config.clockSkewWarnMs && !skewed) {
        skewed = true;
        warnings.push(`clock skew: device time is ${formatDuration(Math.abs(lag))} ${lag > 0 ? 'behind' : 'ahead of'} the gateway`);
      }
      readings.push({ ...reading, time: reading.ts, fields: { ...reading.fields, rx_lag_ms: Math.round(lag) } });
    }
    return { status: 'stored', readings, warnings, skewed };
  }

  private encode(device: UplinkDevice, readings: TimedReading[]): string[] {
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

  private rejectRecords(
    device: UplinkDevice,
    channel: UplinkChannel,
    payload: Buffer,
    receivedAt: number,
    verdict: Extract<UplinkVerdict, { status: 'rejected' }>,
  ): { lines: string[]; deadLetter: DeadLetter } {
    const detail = describeErrors(verdict.errors);
    const line = encodePoint(
      {
        measurement: 'ingest_rejects',
        tags: { site: device.site, kind: device.kind, model: device.model, device: device.id, reason: verdict.reason },
        fields: { detail: detail.slice(0, 512), size: payload.length, channel },
        timeNs: this.clock.stamp(receivedAt),
      },
      { size: 'integer' },
    );
    return {
      lines: line ? [line] : [],
      deadLetter: {
        stage: 'ingest',
        reason: verdict.reason,
        site: device.site,
        kind: device.kind,
        deviceId: device.id,
        topic: deviceTopic(device, channel),
        detail,
        // A lock's payload carries ID-card numbers: its bytes are never kept.
        ...(device.kind === 'lock' ? {} : { payloadPreview: previewOf(payload) }),
        payloadSize: payload.length,
        receivedAt,
      },
    };
  }
}

export function describeErrors(errors: readonly DecodeError[]): string {
  return errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
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

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 172_800_000) return `${Math.round(ms / 3_600_000)} h`;
  if (ms < 63_072_000_000) return `${Math.round(ms / 86_400_000)} days`;
  return `${Math.round(ms / 31_557_600_000)} years`;
}
