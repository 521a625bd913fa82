import { l3 } from './anmen/l3.js';
import { d10 } from './emberline/d10.js';
import { modelId, type DeviceKind, type DeviceModel, type MeasurementSpec } from './model.js';
import { t1 } from './patrolink/t1.js';
import { r500 } from './tagway/r500.js';
import { vg200 } from './vistaguard/vg200.js';

export { createCardProtector, maskCard } from './card.js';
export { encodeTagFrame } from './tagway/tag-frame.js';
export { tagIdOf } from './tagway/tag-id.js';

/** Every model this gateway decodes. The first of each kind is its default (simulators, benches). */
export const deviceModels: readonly DeviceModel[] = [vg200, l3, r500, d10, t1];

/** Tags the gateway sets on every point and the field it adds; a model must not declare them. */
const GATEWAY_TAGS: ReadonlySet<string> = new Set(['site', 'kind', 'model', 'device']);
const GATEWAY_FIELDS: ReadonlySet<string> = new Set(['rx_lag_ms']);

/**
 * All distinct measurements, checked once: InfluxDB refuses a point whose
 * field has another type than the shard already holds, so two models writing
 * `battery_pct` as integer and as float would lose data at run time. This
 * turns that into an error at start-up.
 */
export function mergeMeasurementSpecs(models: readonly Pick<DeviceModel, 'vendor' | 'model' | 'measurements'>[]): MeasurementSpec[] {
  const byName = new Map<string, { spec: MeasurementSpec; owner: string }>();
  for (const model of models) {
    for (const spec of model.measurements) {
      const owner = modelId(model);
      checkSpec(spec, owner);
      const known = byName.get(spec.name);
      if (!known) {
        byName.set(spec.name, { spec, owner });
        continue;
      }
      for (const [field, type] of Object.entries(spec.fields)) {
        const knownType = known.spec.fields[field];
        if (knownType !== undefined && knownType !== type) {
          throw new Error(
            `measurement "${spec.name}": field "${field}" is ${type} in ${owner} but ${knownType} in ${known.owner}; InfluxDB would reject one of them`,
          );
        }
      }
      if (known.spec !== spec) {
        // Same name, compatible types: one spec with the union, so the writer knows every field.
        byName.set(spec.name, {
          spec: { ...known.spec, tags: [...new Set([...known.spec.tags, ...spec.tags])], fields: { ...known.spec.fields, ...spec.fields } },
          owner: known.owner,
        });
      }
    }
  }
  return [...byName.values()].map((entry) => entry.spec);
}

function checkSpec(spec: MeasurementSpec, owner: string): void {
  for (const tag of spec.tags) {
    if (GATEWAY_TAGS.has(tag)) throw new Error(`measurement "${spec.name}" of ${owner}: tag "${tag}" is set by the gateway`);
    if (tag in spec.fields) throw new Error(`measurement "${spec.name}" of ${owner}: "${tag}" is both a tag and a field`);
  }
  for (const field of Object.keys(spec.fields)) {
    if (GATEWAY_TAGS.has(field) || GATEWAY_FIELDS.has(field)) {
      throw new Error(`measurement "${spec.name}" of ${owner}: field "${field}" is a name the gateway sets`);
    }
  }
}

const specs = mergeMeasurementSpecs(deviceModels);
const modelsById = new Map(deviceModels.map((model) => [modelId(model), model]));
if (modelsById.size !== deviceModels.length) throw new Error('two device models share one vendor/model id');

export function measurementSpecs(): readonly MeasurementSpec[] {
  return specs;
}

/** `id` is `vendor/model`, as a device registration names it. */
export function findModel(id: string): DeviceModel | undefined {
  return modelsById.get(id);
}

export function modelsForKind(kind: DeviceKind): readonly DeviceModel[] {
  return deviceModels.filter((model) => model.kind === kind);
}
