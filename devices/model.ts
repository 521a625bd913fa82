/**
 * The contract every device model follows (see docs/device-models.md).
 *
 * Modelled on TTN's lorawan-devices: a model is metadata + a pure codec +
 * examples. A codec never throws on bad input: failing input is a value
 * (`DecodeFailure`) with reasons a human can act on.
 */

export const DEVICE_KINDS = ['camera', 'lock', 'ebike-station', 'fire', 'team'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** Channels a device publishes on (MQTT topic contract, DESIGN.md). */
export const UPLINK_CHANNELS = ['event', 'status'] as const;
export type UplinkChannel = (typeof UPLINK_CHANNELS)[number];

export type FieldType = 'float' | 'integer' | 'boolean' | 'string';
export type FieldValue = number | boolean | string;

/** A measurement as it lands in InfluxDB: one per kind of fact. */
export interface MeasurementSpec {
  name: string;
  description: string;
  /** Tag keys the model sets on top of the common ones (site, kind, model, device). Low cardinality only. */
  tags: readonly string[];
  fields: Readonly<Record<string, FieldType>>;
}

/**
 * One decoded fact. `measurement` names a MeasurementSpec the model declares;
 * `event` is the event type the rule engine matches on (alarm, swipe, ...).
 */
export interface Reading {
  measurement: string;
  event: string;
  /** Device time (epoch ms) when the payload carried one. */
  ts?: number;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
}

export interface DecodeError {
  /** Dotted path of the offending field, or '' for the payload as a whole. */
  path: string;
  message: string;
}

export type DecodeFailureReason = 'malformed' | 'schema';

export interface DecodeSuccess {
  data: Reading[];
  warnings?: string[];
}

export interface DecodeFailure {
  reason: DecodeFailureReason;
  errors: DecodeError[];
}

export type DecodeResult = DecodeSuccess | DecodeFailure;

export function isDecodeFailure(result: DecodeResult): result is DecodeFailure {
  return 'errors' in result;
}

/** Keyed pseudonym of an ID-card number / card UID; the clear value never leaves the codec. */
export interface ProtectedCard {
  /** HMAC-SHA-256(siteSecret, normalized card), hex. */
  hash: string;
  /** Display form, e.g. 330***********1234. */
  masked: string;
}

export interface DecodeContext {
  site: string;
  kind: DeviceKind;
  deviceId: string;
  channel: UplinkChannel;
  /** Gateway receive time, epoch ms. */
  receivedAt: number;
  protectCard(cardNumber: string): ProtectedCard;
}

export interface ExampleBase {
  description: string;
  channel: UplinkChannel;
  /** JSON payloads as objects/strings; binary frames as hex via `hex`. */
  payload?: unknown;
  /** Raw payload bytes as hex (binary frames, junk). Exactly one of payload/hex. */
  hex?: string;
  /** Raw payload text (e.g. malformed JSON). */
  text?: string;
}

export interface ValidExample extends ExampleBase {
  expect: DecodeSuccess;
}

export interface InvalidExample extends ExampleBase {
  expectErrors: { reason: DecodeFailureReason; errors: DecodeError[] };
}

export type Example = ValidExample | InvalidExample;

export interface DeviceModel {
  kind: DeviceKind;
  vendor: string;
  model: string;
  description: string;
  /** Expected heartbeat period; availability times out after `heartbeatTimeoutFactor` periods. */
  heartbeatSeconds: number;
  payloadFormats: readonly ('json' | 'binary')[];
  measurements: readonly MeasurementSpec[];
  decode(bytes: Buffer, context: DecodeContext): DecodeResult;
  examples: readonly Example[];
}

/** The id a device registration refers to: `${vendor}/${model}`. */
export function modelId(model: Pick<DeviceModel, 'vendor' | 'model'>): string {
  return `${model.vendor}/${model.model}`;
}
