import type { z, ZodIssue } from 'zod';
import { describeValue, dottedPath, formatIssues, valueAt } from './issues.js';
import { hexByte, isFailure, malformed } from './codec.js';
import type { DecodeFailure } from './model.js';

export interface JsonDecoded<T> {
  ok: true;
  value: T;
  warnings: string[];
}

export interface JsonOptions {
  /** Keys whose values are personal data: never echoed in errors. */
  personalKeys?: readonly string[];
  /** Values that are personal data under any key: never echoed in errors. */
  isPersonalValue?: (value: unknown) => boolean;
}

const MAX_UNKNOWN_FIELD_WARNINGS = 10;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes → validated value, or a failure a device can be told about.
 * Schemas are `.strict()` so unknown fields surface as issues; they are then
 * stripped and reported as warnings: a newer firmware that adds a field keeps
 * working, and its installer learns the field is not stored.
 */
export function decodeJson<T>(
  bytes: Buffer,
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  options: JsonOptions = {},
): JsonDecoded<T> | DecodeFailure {
  const parsed = parseJson(bytes);
  if (isFailure(parsed)) return parsed;
  const issueOptions = { personalKeys: new Set(options.personalKeys ?? []), ...(options.isPersonalValue ? { isPersonalValue: options.isPersonalValue } : {}) };

  let input = parsed.value;
  const warnings: string[] = [];
  // Stripping fields lets zod reach checks it skipped (object-level refinements); a few rounds suffice for our depth.
  for (let round = 0; ; round++) {
    const result = schema.safeParse(input);
    if (result.success) return { ok: true, value: result.data, warnings: capWarnings(dedupe(warnings)) };
    const unknown = result.error.issues.filter((issue) => issue.code === 'unrecognized_keys');
    if (unknown.length === 0 || round === 3) {
      const errors = formatIssues(result.error.issues, input, issueOptions);
      return { reason: 'schema', errors: errors.length > 0 ? errors : [{ path: '', message: 'payload does not match this model' }] };
    }
    if (round === 0) input = structuredClone(input);
    for (const issue of unknown) warnings.push(...stripUnknown(input, issue));
  }
}

/** Parses bytes as JSON text; binary or broken input is `malformed` with the reason. */
export function parseJson(bytes: Buffer): { value: unknown } | DecodeFailure {
  if (bytes.length === 0) return malformed('payload is empty (0 bytes); expected a JSON object');
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return malformed(`payload is not UTF-8 text (${bytes.length} bytes, first byte ${hexByte(bytes[0]!)}); this model accepts JSON, not binary frames`);
  }
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
  if (control) {
    const offset = Buffer.byteLength(text.slice(0, control.index));
    return malformed(
      `payload is binary (${bytes.length} bytes, control byte ${hexByte(control[0].charCodeAt(0))} at offset ${offset}); this model accepts JSON, not binary frames`,
    );
  }
  try {
    // A leading byte-order mark is legal UTF-8 but not legal JSON; some firmware sends one.
    return { value: JSON.parse(text.replace(/^\uFEFF/, '')) as unknown };
  } catch (err) {
    return malformed(`payload is not valid JSON (${bytes.length} bytes): ${syntaxMessage(err)}`);
  }
}

/**
 * Some of V8's JSON messages quote the payload around the error
 * (`Unexpected token 'x', "…330106…" is not valid JSON`), and newer Node adds
 * "(line 1 column 9)". A quote could carry an ID-card number into a reply or a
 * log, so only V8's own words are kept, never a quote of the input.
 */
function syntaxMessage(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\(line \d+ column \d+\)$/, '');
  const token = /^Unexpected token '([\s\S]{1,2})', /.exec(message);
  if (token) return `Unexpected token '${token[1]}'`;
  return message.includes('"') ? 'not valid JSON' : message;
}

function stripUnknown(root: unknown, issue: ZodIssue & { code: 'unrecognized_keys' }): string[] {
  const target = valueAt(root, issue.path);
  const warnings: string[] = [];
  for (const key of issue.keys) {
    if (target !== null && typeof target === 'object') delete (target as Record<string, unknown>)[key];
    warnings.push(unknownFieldWarning([...issue.path, key]));
  }
  return warnings;
}

/** Field names are echoed only when they look like names: a stray key could itself be an ID-card number. */
function unknownFieldWarning(path: readonly (string | number)[]): string {
  const name = dottedPath(path);
  const plain = path.every((segment) => typeof segment === 'number' || /^[A-Za-z_][A-Za-z0-9_-]{0,39}$/.test(segment));
  if (!plain || /\d{4,}/.test(name)) return 'ignored unknown field (name not shown: it does not look like a field name)';
  return `ignored unknown field ${describeValue(name)}`;
}

function dedupe(warnings: string[]): string[] {
  // reads.0.x and reads.7.x are the same finding about the firmware.
  const seen = new Set<string>();
  return warnings.filter((warning) => {
    const key = warning.replace(/\.\d+\./g, '.*.');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function capWarnings(warnings: string[]): string[] {
  if (warnings.length <= MAX_UNKNOWN_FIELD_WARNINGS) return warnings;
  return [...warnings.slice(0, MAX_UNKNOWN_FIELD_WARNINGS), `and ${warnings.length - MAX_UNKNOWN_FIELD_WARNINGS} more unknown fields ignored`];
}
