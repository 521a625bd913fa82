import { findModel, measurementSpecs } from '../../devices/index.js';
import type { DeviceKind, UplinkChannel } from '../../devices/model.js';
import type { Config } from '../config.js';
import type { Preparation, RawBatch } from '../store/outbox-types.js';
import { siteCardProtectors } from './card-keys.js';
import { UplinkDecoder, type UplinkDevice } from './uplink-decoder.js';

/**
 * The ingest half that runs in the outbox thread (a `PreparerModule`): device
 * payloads arrive raw, are decoded, checked and encoded here, and are
 * committed in the same turn. The main thread keeps the broker, the rules and
 * the pages; the verdicts come back to it with the commit.
 */

export interface IngestThreadOptions {
  ingest: Config['ingest'];
  siteSecret: string;
}

/** meta of one raw uplink: [device handle, channel code, received at (epoch ms)]. */
export const UPLINK_META_WIDTH = 3;
export const CHANNEL_CODES: Readonly<Record<UplinkChannel, number>> = { event: 0, status: 1 };
const CHANNELS: readonly UplinkChannel[] = ['event', 'status'];

/** Sent once per device handle, with the first uplink that uses it. */
export type DeviceDefinition = [handle: number, id: string, site: string, kind: DeviceKind, model: string];

export function createPreparer(options: unknown): (batch: RawBatch) => Preparation[] {
  const { ingest, siteSecret } = options as IngestThreadOptions;
  const fieldTypes = new Map(measurementSpecs().map((spec) => [spec.name, spec.fields]));
  const decoder = new UplinkDecoder({
    config: ingest,
    findModel,
    fieldTypes: (measurement) => fieldTypes.get(measurement),
    protectCardFor: siteCardProtectors(siteSecret),
  });
  const devices = new Map<number, UplinkDevice>();

  return (batch) => {
    const { meta, metaWidth, offsets, payloads, definitions } = batch;
    const count = offsets.length - 1;
    const prepared: Preparation[] = new Array(count);
    let nextDefinition = 0;
    for (let i = 0; i < count; i++) {
      // A definition applies from its entry on: an earlier message of the same device keeps the metadata it was sent with.
      while (nextDefinition < definitions.length && definitions[nextDefinition]![0] === i) {
        const [handle, id, site, kind, model] = definitions[nextDefinition++]![1] as DeviceDefinition;
        devices.set(handle, { id, site, kind, model });
      }
      const base = i * metaWidth;
      const device = devices.get(meta[base]!);
      if (!device) throw new Error(`ingest thread: no definition for device handle ${meta[base]}`);
      const channel = CHANNELS[meta[base + 1]!]!;
      const payload = Buffer.from(payloads.buffer, payloads.byteOffset + offsets[i]!, offsets[i + 1]! - offsets[i]!);
      const { verdict, lines, deadLetter } = decoder.decode(device, channel, payload, meta[base + 2]!);
      prepared[i] = { lines, messages: verdict.status === 'stored' ? 1 : 0, result: verdict, ...(deadLetter ? { deadLetter } : {}) };
    }
    return prepared;
  };
}
