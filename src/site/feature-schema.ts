import { z } from 'zod';
import { placeGeometry, roadGeometry, zoneGeometry } from './geometry-schema.js';
import { ROAD_CLASSES } from './road-classes.js';
import type { Travel } from './site.js';

/**
 * zod schemas for one feature of each site file. Every message starts with
 * "expected", and `fromZodIssues` appends what the file actually holds.
 */

function expecting(message: string) {
  return { errorMap: () => ({ message }) };
}

const text = (what: string) => z.string(expecting(`expected ${what}`)).trim().min(1, `expected ${what}`);

const featureId = z.union([z.string().min(1), z.number()], expecting('expected a text or number id')).transform(String);

/**
 * QGIS writes `null` for an empty attribute; an empty attribute means "not
 * given", so nulls are dropped before the properties are checked.
 */
function propertiesSchema<T extends z.ZodRawShape>(shape: T, what: string) {
  const known = Object.keys(shape);
  return z.preprocess(
    (value) =>
      value === null || value === undefined
        ? {}
        : typeof value === 'object' && !Array.isArray(value)
          ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null))
          : value,
    z
      .object(shape, expecting(`expected an object of ${what} properties`))
      .passthrough()
      .superRefine((properties, ctx) => {
        for (const key of Object.keys(properties)) {
          const near = nearMiss(key, known);
          if (near !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `unknown property; did you mean "${near}"?` });
        }
      }),
  );
}

/**
 * A misspelt `oneway` silently turns a one-way street two-way, which sends
 * teams the wrong way; other unknown properties (QGIS's `fid`, OSM tags) are
 * normal and ignored.
 */
function nearMiss(key: string, known: readonly string[]): string | undefined {
  if (known.includes(key) || key.length < 4) return undefined;
  return known.find((candidate) => candidate.toLowerCase() === key.toLowerCase() || editDistance(key.toLowerCase(), candidate.toLowerCase()) <= 2);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

const SPEED = 'expected a positive number (km/h)';
const MAX_SPEED_KMH = 200;

const roadProperties = propertiesSchema(
  {
    speedKmh: z.number(expecting(SPEED)).positive(SPEED).max(MAX_SPEED_KMH, `expected at most ${MAX_SPEED_KMH} km/h`).optional(),
    class: z.enum(ROAD_CLASSES, expecting(`expected one of ${ROAD_CLASSES.join(', ')}`)).optional(),
    oneway: z
      .union([z.boolean(), z.enum(['yes', 'no', '-1']), z.literal(-1)], expecting('expected true, false, "yes", "no" or "-1"'))
      .optional(),
    name: text('text').optional(),
    id: featureId.optional(),
  },
  'road',
).superRefine((properties, ctx) => {
  if (properties.speedKmh === undefined && properties.class === undefined) {
    ctx.addIssue({ code: 'custom', path: ['speedKmh'], message: `expected a speed in km/h, or a road class (${ROAD_CLASSES.join(', ')})` });
  }
});

export function travelOf(oneway: boolean | 'yes' | 'no' | '-1' | -1 | undefined): Travel {
  if (oneway === true || oneway === 'yes') return 'forward';
  if (oneway === '-1' || oneway === -1) return 'backward';
  return 'both';
}

export const roadFeature = z.object(
  {
    type: z.literal('Feature', expecting('expected "Feature"')),
    id: featureId.optional(),
    geometry: roadGeometry,
    properties: roadProperties,
  },
  expecting('expected a GeoJSON Feature object'),
);

export const zoneFeature = z.object(
  {
    type: z.literal('Feature', expecting('expected "Feature"')),
    id: featureId.optional(),
    geometry: zoneGeometry,
    properties: propertiesSchema({ name: text("the zone's name as text"), id: featureId.optional() }, 'zone'),
  },
  expecting('expected a GeoJSON Feature object'),
);

export const placeFeature = z.object(
  {
    type: z.literal('Feature', expecting('expected "Feature"')),
    id: featureId.optional(),
    geometry: placeGeometry,
    properties: propertiesSchema(
      { name: text("the place's name as text"), type: text('text such as "factory", "home" or "school"').optional(), id: featureId.optional() },
      'place',
    ),
  },
  expecting('expected a GeoJSON Feature object'),
);

export type RoadFeature = z.output<typeof roadFeature>;
export type ZoneFeature = z.output<typeof zoneFeature>;
export type PlaceFeature = z.output<typeof placeFeature>;
