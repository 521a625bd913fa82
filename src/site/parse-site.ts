import type { z } from 'zod';
import { placeFeature, roadFeature, travelOf, zoneFeature } from './feature-schema.js';
import { jsonErrorLocation } from './json-error-position.js';
import { ROAD_CLASS_SPEEDS_KMH } from './road-classes.js';
import type { Place, Road, Site, Zone } from './site.js';
import { fromZodIssues, showValue, type SiteFile, type SiteIssue } from './site-issues.js';

/** The three files' contents, already read as JSON; zones and places may be absent. */
export interface SiteInput {
  roads: unknown;
  zones?: unknown;
  places?: unknown;
}

/** Bad site files are data to show the operator, so the result carries every issue, not an exception. */
export type SiteResult = { ok: true; site: Site } | { ok: false; issues: SiteIssue[] };

export function parseSite(input: SiteInput): SiteResult {
  const issues: SiteIssue[] = [];
  const roads = parseFile('roads.geojson', input.roads, roadFeature, issues).map(toRoad);
  if (input.roads !== undefined && issues.length === 0 && roads.length === 0) {
    issues.push({ file: 'roads.geojson', path: ['features'], message: 'expected at least one road' });
  }
  checkUniqueIds('roads.geojson', roads, issues);
  const zones = parseFile('zones.geojson', input.zones, zoneFeature, issues).map(toZone);
  checkUniqueIds('zones.geojson', zones, issues);
  const places = parseFile('places.geojson', input.places, placeFeature, issues).map(toPlace);
  checkUniqueIds('places.geojson', places, issues);
  return issues.length === 0 ? { ok: true, site: { roads, zones, places } } : { ok: false, issues };
}

/** Same as `parseSite`, from the files' text; a file that is not JSON is one more issue. */
export function parseSiteTexts(texts: { roads: string | undefined; zones?: string | undefined; places?: string | undefined }): SiteResult {
  const issues: SiteIssue[] = [];
  if (texts.roads === undefined) issues.push({ file: 'roads.geojson', path: [], message: 'the file is missing; a site needs its roads' });
  const input: SiteInput = {
    roads: readJson('roads.geojson', texts.roads, issues),
    zones: readJson('zones.geojson', texts.zones, issues),
    places: readJson('places.geojson', texts.places, issues),
  };
  const parsed = parseSite(input);
  if (issues.length === 0) return parsed;
  return { ok: false, issues: [...issues, ...(parsed.ok ? [] : parsed.issues)] };
}

function readJson(file: SiteFile, text: string | undefined, issues: SiteIssue[]): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    issues.push({ file, path: [], message: `not valid JSON: ${jsonErrorWithLine(error, text)}` });
    return undefined;
  }
}

/** One line, with the place an editor can jump to. */
function jsonErrorWithLine(error: unknown, text: string): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
  const location = jsonErrorLocation(text);
  return location ? `${message} (line ${location.line}, column ${location.column})` : message;
}

interface Parsed<T> {
  index: number;
  rawId: string | undefined;
  feature: T;
}

function parseFile<S extends z.ZodTypeAny>(file: SiteFile, raw: unknown, schema: S, issues: SiteIssue[]): Parsed<z.output<S>>[] {
  if (raw === undefined) return [];
  const features = featuresOf(file, raw, issues);
  const parsed: Parsed<z.output<S>>[] = [];
  features.forEach((featureRaw, index) => {
    const rawId = idOf(featureRaw);
    const result = schema.safeParse(featureRaw);
    if (result.success) parsed.push({ index, rawId, feature: result.data as z.output<S> });
    else issues.push(...fromZodIssues(result.error.issues, featureRaw, file, { index, ...(rawId === undefined ? {} : { id: rawId }) }));
  });
  return parsed;
}

function featuresOf(file: SiteFile, raw: unknown, issues: SiteIssue[]): unknown[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    issues.push({ file, path: [], message: `expected a GeoJSON FeatureCollection object, got ${showValue(raw)}` });
    return [];
  }
  const { type, features } = raw as { type?: unknown; features?: unknown };
  if (type !== 'FeatureCollection') {
    issues.push({ file, path: ['type'], message: `expected "FeatureCollection", got ${showValue(type)}` });
  }
  if (!Array.isArray(features)) {
    issues.push({ file, path: ['features'], message: `expected a list of features, got ${showValue(features)}` });
    return [];
  }
  return features;
}

/** Read before validation so even a broken feature is named by its id. */
function idOf(feature: unknown): string | undefined {
  if (feature === null || typeof feature !== 'object') return undefined;
  const { id, properties } = feature as { id?: unknown; properties?: unknown };
  const candidate = id ?? (properties !== null && typeof properties === 'object' ? (properties as { id?: unknown }).id : undefined);
  return typeof candidate === 'string' || typeof candidate === 'number' ? String(candidate) : undefined;
}

function toRoad({ index, rawId, feature }: Parsed<z.output<typeof roadFeature>>): Road {
  const { speedKmh, class: roadClass, oneway, name } = feature.properties;
  return {
    id: rawId ?? `#${index}`,
    index,
    ...(name === undefined ? {} : { name }),
    lines: feature.geometry,
    // An explicit speed wins over the class default: the operator measured it.
    speedKmh: speedKmh ?? ROAD_CLASS_SPEEDS_KMH[roadClass ?? 'lane'],
    ...(roadClass === undefined ? {} : { roadClass }),
    travel: travelOf(oneway),
  };
}

function toZone({ index, rawId, feature }: Parsed<z.output<typeof zoneFeature>>): Zone {
  return { id: rawId ?? feature.properties.name, index, name: feature.properties.name, polygons: feature.geometry };
}

function toPlace({ index, rawId, feature }: Parsed<z.output<typeof placeFeature>>): Place {
  const { name, type } = feature.properties;
  const [lon, lat] = feature.geometry;
  return { id: rawId ?? name, index, name, ...(type === undefined ? {} : { type }), lon, lat };
}

/** Zones and places are looked up by id (incident areas, response-time reports), so ids must be unique. */
function checkUniqueIds(file: SiteFile, items: readonly { id: string; index: number; name?: string }[], issues: SiteIssue[]): void {
  const firstIndex = new Map<string, number>();
  for (const item of items) {
    const first = firstIndex.get(item.id);
    if (first === undefined) firstIndex.set(item.id, item.index);
    else {
      issues.push({
        file,
        feature: { index: item.index, id: item.id },
        path: [],
        message: `id ${JSON.stringify(item.id)} is already used by feature #${first}${item.id === item.name ? ' (a feature without an id is known by its name)' : ''}`,
      });
    }
  }
}
