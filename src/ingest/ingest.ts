import type { Logger } from 'pino';
import type { DecodeError, UplinkChannel } from '../../devices/model.js';
import { deviceTopic } from '../broker/topics.js';
import type { Metrics } from '../metrics.js';
import type { Device } from '../registry/device-registry.js';
import type { RawEntry } from '../store/outbox-types.js';
import { CHANNEL_CODES, type DeviceDefinition } from './ingest-thread.js';
import { describeErrors, type RejectReason, type TimedReading, type UplinkVerdict } from './uplink-decoder.js';

export type { RejectReason, TimedReading } from './uplink-decoder.js';

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

/** What ingest needs from the outbox: raw payloads decoded and made durable in its thread. */
export interface RawDurableSink {
  appendRaw(entry: RawEntry): Promise<unknown>;
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
  sink: RawDurableSink;
  reply(device: Device, message: ReplyMessage): void;
  metrics: Metrics;
  log: Logger;
  now?: () => number;
}

/**
 * The main thread's side of ingest. A device message goes to the outbox
 * thread raw; there it is decoded, checked, encoded (ingest-thread.ts,
 * uplink-decoder.ts) and committed, rejected messages as dead letters. The
 * returned promise settles once that commit is on disk, which is the moment a
 * QoS 1 PUBACK may go out; then the verdict is counted, logged and answered.
 */
export class Ingest {
  private readonly now: () => number;
  /** Per device id: its handle in the ingest thread and the metadata that thread was last told. */
  private readonly handles = new Map<string, { handle: number; site: string; kind: string; model: string }>();
  private nextHandle = 1;

  constructor(private readonly options: IngestOptions) {
    this.now = options.now ?? Date.now;
  }

  async handle(device: Device, channel: UplinkChannel, payload: Buffer): Promise<IngestOutcome> {
    const receivedAt = this.now();
    const { metrics } = this.options;
    metrics.tallies.messagesIn.add(device.kind, channel);
    const started = performance.now();

    let known = this.handles.get(device.id);
    let define: DeviceDefinition | undefined;
    if (known === undefined || known.site !== device.site || known.kind !== device.kind || known.model !== device.model) {
      // One handle per device id (the thread's table stays as small as the registry); new metadata travels with the next message.
      known = { handle: known?.handle ?? this.nextHandle++, site: device.site, kind: device.kind, model: device.model };
      this.handles.set(device.id, known);
      define = [known.handle, device.id, device.site, device.kind, device.model];
    }
    const handle = known.handle;
    const verdict = (await this.options.sink.appendRaw({
      meta: [handle, CHANNEL_CODES[channel], receivedAt],
      payload,
      ...(define ? { define } : {}),
    })) as UplinkVerdict;

    let outcome: IngestOutcome;
    if (verdict.status === 'stored') {
      metrics.tallies.messagesAcked.add(device.kind);
      if (verdict.skewed) metrics.clockSkew.inc({ kind: device.kind });
      if (verdict.warnings.length > 0) {
        this.options.reply(device, { status: 'accepted', warnings: verdict.warnings, topic: deviceTopic(device, channel), receivedAt, ...msgId(verdict) });
      }
      outcome = { status: 'stored', device, channel, receivedAt, readings: verdict.readings, warnings: verdict.warnings };
    } else {
      const { reason, errors } = verdict;
      metrics.messagesRejected.inc({ kind: device.kind, reason });
      if (verdict.fault !== undefined) {
        this.options.log.error({ err: verdict.fault, deviceId: device.id, model: device.model }, 'codec threw; treating the payload as rejected');
      }
      this.options.log.warn({ deviceId: device.id, kind: device.kind, reason, detail: describeErrors(errors) }, 'payload rejected');
      this.options.reply(device, { status: 'rejected', reason, errors, topic: deviceTopic(device, channel), receivedAt, ...msgId(verdict) });
      outcome = { status: 'rejected', device, channel, receivedAt, reason, errors };
    }
    metrics.ingestSeconds.observe((performance.now() - started) / 1000);
    return outcome;
  }
}

function msgId(verdict: UplinkVerdict): { msgId?: string } {
  return verdict.msgId !== undefined ? { msgId: verdict.msgId } : {};
}
