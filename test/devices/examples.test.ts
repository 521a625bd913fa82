import t, { type Test } from 'tap';
import { normalizeCard } from '../../devices/card.js';
import { exampleBytes, exampleContext } from '../../devices/examples.js';
import { deviceModels, findModel, measurementSpecs, mergeMeasurementSpecs, modelsForKind } from '../../devices/index.js';
import {
  DEVICE_KINDS,
  UPLINK_CHANNELS,
  isDecodeFailure,
  modelId,
  type DeviceModel,
  type Example,
  type FieldType,
  type FieldValue,
  type InvalidExample,
  type Reading,
  type ValidExample,
} from '../../devices/model.js';

const isValid = (example: Example): example is ValidExample => 'expect' in example;
const isInvalid = (example: Example): example is InvalidExample => 'expectErrors' in example;

function hasType(value: FieldValue, type: FieldType): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
  }
}

/** Card numbers an example sends, and the part of an ID number that is a birth date: none may come back out. */
function personalNeedles(example: Example): string[] {
  const payload = example.payload as Record<string, unknown> | undefined;
  const sent = [payload?.card, payload?.cardUid, ...(example.text?.match(/\d{17}[\dXx]/g) ?? [])];
  return sent
    .filter((value): value is string => typeof value === 'string')
    .map(normalizeCard)
    .flatMap((card) => (card.length === 18 ? [card, card.slice(6, 14)] : [card]));
}

function checkReading(t: Test, model: DeviceModel, reading: Reading): void {
  const spec = model.measurements.find((m) => m.name === reading.measurement);
  if (!spec) {
    t.fail(`measurement ${reading.measurement} is not declared by ${modelId(model)}`);
    return;
  }
  for (const [field, value] of Object.entries(reading.fields)) {
    const type = spec.fields[field];
    t.ok(type !== undefined && hasType(value, type), `${reading.measurement}.${field} = ${JSON.stringify(value)} is ${type ?? 'undeclared'}`);
  }
  for (const [tag, value] of Object.entries(reading.tags)) {
    t.ok(spec.tags.includes(tag) && typeof value === 'string' && value !== '', `${reading.measurement} tag ${tag} is declared and non-empty`);
  }
  t.ok(Object.keys(reading.fields).length > 0, 'a reading has at least one field (line protocol needs one)');
  t.notOk('rx_lag_ms' in reading.fields, 'rx_lag_ms is the gateway\'s to add');
}

t.test('model metadata', async (t) => {
  t.ok(deviceModels.length >= DEVICE_KINDS.length, 'models are registered');
  for (const kind of DEVICE_KINDS) t.ok(modelsForKind(kind).length > 0, `a model for ${kind}`);
  for (const model of deviceModels) {
    const id = modelId(model);
    t.test(id, async (t) => {
      t.ok((DEVICE_KINDS as readonly string[]).includes(model.kind), 'kind is a device kind');
      t.match(model.vendor, /^[a-z0-9][a-z0-9-]*$/, 'vendor is a folder name');
      t.match(model.model, /^[a-z0-9][a-z0-9-]*$/, 'model is a file name');
      t.equal(findModel(id), model, 'findModel(vendor/model)');
      t.ok(Number.isFinite(model.heartbeatSeconds) && model.heartbeatSeconds > 0, 'heartbeatSeconds > 0');
      t.ok(model.description.length > 0, 'described');
      t.ok(model.payloadFormats.length > 0, 'payload formats named');
      t.equal(new Set(model.measurements.map((m) => m.name)).size, model.measurements.length, 'measurement names unique');
      t.ok(model.examples.filter(isValid).length >= 3, 'at least 3 valid examples');
      t.ok(model.examples.filter(isInvalid).length >= 4, 'at least 4 invalid examples');
      for (const channel of UPLINK_CHANNELS) t.ok(model.examples.some((e) => isValid(e) && e.channel === channel), `a valid ${channel} example`);
      for (const example of model.examples) {
        const sources = [example.payload, example.hex, example.text].filter((source) => source !== undefined);
        t.equal(sources.length, 1, `${example.description}: exactly one of payload, hex, text`);
      }
      if (model.payloadFormats.includes('binary')) t.ok(model.examples.some((e) => isValid(e) && e.hex !== undefined), 'a valid binary example');
    });
  }
});

t.test('findModel misses return undefined', async (t) => {
  t.equal(findModel('nobody/nothing'), undefined);
  t.equal(findModel('vistaguard'), undefined);
});

for (const model of deviceModels) {
  t.test(`${modelId(model)} examples`, async (t) => {
    for (const example of model.examples) {
      const result = model.decode(exampleBytes(example), exampleContext(model, example));
      const needles = personalNeedles(example);
      for (const needle of needles) t.notOk(JSON.stringify(result).includes(needle), `${example.description}: no card number in the result`);
      if (isValid(example)) {
        t.strictSame(result, example.expect, `${example.channel}: ${example.description}`);
        if (!isDecodeFailure(result)) for (const reading of result.data) checkReading(t, model, reading);
      } else {
        t.strictSame(result, example.expectErrors, `${example.channel}: ${example.description} → ${example.expectErrors.reason}`);
      }
    }
  });
}

t.test('measurementSpecs: one spec per name, with one type per field', async (t) => {
  const specs = measurementSpecs();
  t.equal(new Set(specs.map((s) => s.name)).size, specs.length, 'names are distinct');
  for (const model of deviceModels) {
    for (const spec of model.measurements) t.ok(specs.some((s) => s.name === spec.name), `${spec.name} is listed`);
  }
  for (const spec of specs) {
    t.equal(spec.fields.msg_id, 'string', `${spec.name} carries msg_id`);
    t.notOk('rx_lag_ms' in spec.fields, `${spec.name} leaves rx_lag_ms to the gateway`);
  }
});

t.test('a field typed differently by two models is refused (InfluxDB type conflict)', async (t) => {
  const a = { vendor: 'a', model: 'one', measurements: [{ name: 'm', description: '', tags: [], fields: { level: 'integer' as const } }] };
  const b = { vendor: 'b', model: 'two', measurements: [{ name: 'm', description: '', tags: [], fields: { level: 'float' as const } }] };
  t.throws(() => mergeMeasurementSpecs([a, b]), /field "level" is float in b\/two but integer in a\/one/);
  const c = { vendor: 'c', model: 'three', measurements: [{ name: 'm', description: '', tags: ['zone'], fields: { level: 'integer' as const, note: 'string' as const } }] };
  t.same(mergeMeasurementSpecs([a, c])[0]?.fields, { level: 'integer', note: 'string' }, 'compatible specs merge');
  const clash = { vendor: 'd', model: 'four', measurements: [{ name: 'n', description: '', tags: ['device'], fields: { x: 'float' as const } }] };
  t.throws(() => mergeMeasurementSpecs([clash]), /tag "device" is set by the gateway/);
  const both = { vendor: 'e', model: 'five', measurements: [{ name: 'n', description: '', tags: ['x'], fields: { x: 'float' as const } }] };
  t.throws(() => mergeMeasurementSpecs([both]), /both a tag and a field/);
});

t.test('decode never throws, whatever the channel and bytes', async (t) => {
  const throwing = { ...exampleContext(deviceModels[0]!, deviceModels[0]!.examples[0]!), channel: 'cmd' as never };
  for (const model of deviceModels) {
    const result = model.decode(Buffer.from('{}'), { ...throwing, kind: model.kind });
    t.ok(isDecodeFailure(result), `${modelId(model)}: unknown channel is a failure, not an exception`);
  }
  const l3 = findModel('anmen/l3')!;
  const swipe = Buffer.from(JSON.stringify({ room: '1', card: '330106199001011234', result: 'granted', method: 'idcard' }));
  const result = l3.decode(swipe, {
    ...exampleContext(l3, l3.examples[0]!),
    protectCard: () => {
      throw new Error('secret store unavailable: 330106199001011234');
    },
  });
  t.strictSame(result, { reason: 'malformed', errors: [{ path: '', message: 'payload could not be decoded (fault in the device model; please report it)' }] }, 'a throwing dependency becomes a failure that does not echo the exception');
});

t.test('no payload makes a codec throw: every truncation of every example, and seeded junk', async (t) => {
  let seed = 7;
  const nextByte = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 24;
  };
  for (const model of deviceModels) {
    let decoded = 0;
    for (const example of model.examples) {
      const bytes = exampleBytes(example);
      const context = exampleContext(model, example);
      for (let end = 0; end <= Math.min(bytes.length, 400); end++) {
        model.decode(bytes.subarray(0, end), context);
        decoded++;
      }
    }
    for (let i = 0; i < 300; i++) {
      const junk = Buffer.from(Array.from({ length: nextByte() % 48 }, nextByte));
      for (const channel of UPLINK_CHANNELS) {
        const result = model.decode(junk, { ...exampleContext(model, { channel }) });
        if (!isDecodeFailure(result)) t.ok(Array.isArray(result.data), 'a junk success still has data');
        decoded++;
      }
    }
    t.pass(`${modelId(model)}: ${decoded} payloads decoded without a throw`);
  }
});
