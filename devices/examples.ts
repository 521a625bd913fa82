import { createCardProtector } from './card.js';
import type { DecodeContext, DeviceModel, Example } from './model.js';

/**
 * How an example becomes a message, for the example tests, docs and
 * simulators alike. Lock examples' expected card hashes are computed under
 * this secret.
 */
export const EXAMPLE_SITE_SECRET = 'example-site-secret';

export function exampleBytes(example: Example): Buffer {
  if (example.hex !== undefined) return Buffer.from(example.hex, 'hex');
  if (example.text !== undefined) return Buffer.from(example.text, 'utf8');
  return Buffer.from(JSON.stringify(example.payload));
}

export function exampleContext(model: Pick<DeviceModel, 'kind' | 'model'>, example: Pick<Example, 'channel'>): DecodeContext {
  return {
    site: 'example',
    kind: model.kind,
    deviceId: `${model.model}-example`,
    channel: example.channel,
    receivedAt: 1764380000000,
    protectCard: createCardProtector(EXAMPLE_SITE_SECRET),
  };
}
