import type { FastifyInstance } from 'fastify';
import type { DeviceModel } from '../../../devices/model.js';
import { modelId } from '../../../devices/model.js';

export async function deviceModelRoutes(app: FastifyInstance, options: { models: readonly DeviceModel[] }): Promise<void> {
  const listing = options.models.map((m) => ({
    id: modelId(m),
    kind: m.kind,
    vendor: m.vendor,
    model: m.model,
    description: m.description,
    heartbeatSeconds: m.heartbeatSeconds,
    payloadFormats: m.payloadFormats,
    measurements: m.measurements,
    examples: m.examples.filter((e) => 'expect' in e).map((e) => ({ description: e.description, channel: e.channel, payload: e.payload ?? e.hex ?? e.text })),
  }));
  app.get('/api/device-models', { schema: { tags: ['devices'], summary: 'Device models this gateway decodes' } }, async () => ({ models: listing }));
}
