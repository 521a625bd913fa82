/**
 * The rule engine's vocabulary: what it is fed (one decoded device event) and
 * what it answers (incident actions). Kept free of gateway types so the engine
 * stays a pure function of events, rules and a clock.
 */

export const DEVICE_KINDS = ['camera', 'lock', 'ebike-station', 'fire', 'team'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export type FieldValue = number | boolean | string;

export interface RuleEvent {
  kind: DeviceKind;
  /**
   * Event type: fire `alarm|fault|test|restore|heartbeat|battery`, lock `swipe`,
   * ebike-station `tag_read`, camera `health|tamper|video_loss`, team
   * `position|status|accept|arrived`; availability is `offline|online` for any kind.
   */
  event: string;
  deviceId: string;
  site: string;
  model: string;
  /** Epoch ms. Windows and timers run on this; the adapter should give the gateway's receive time. */
  time: number;
  /** Decoded fields plus the gateway's enrichment flags (card_registered_to_room, card_blacklisted, tag_stolen). */
  fields: Readonly<Record<string, FieldValue>>;
  place?: string;
  zone?: string;
  lon?: number;
  lat?: number;
}

/** The local four-colour practice: red act now, orange verify on site, blue watch/maintenance, green informational. */
export const SEVERITIES = ['red', 'orange', 'blue', 'green'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface DeviceCommand {
  /** A concrete device id; a rule may say `trigger`, which the engine resolves to the triggering device. */
  deviceId: string;
  command: string;
  args: Record<string, FieldValue>;
}

export interface IncidentActions {
  /** Send a patrol team to the triggering event's location; `reason` tells them why. */
  dispatch?: boolean | { reason: string };
  notifyBrigade?: boolean;
  deviceCommand?: DeviceCommand;
}

export interface Evidence {
  /** The events that made the rule fire, oldest first (for absence: the last one heard). */
  events: RuleEvent[];
  /** The distinct devices among them. */
  deviceIds: string[];
  /** For absence and sustained rules: since when the device has been silent / in the state. */
  since?: number;
}

export interface RuleAction {
  type: 'incident';
  ruleId: string;
  /** Stable per rule and group (`fire-confirmed:place:Factory 12`); the incident store opens or updates by it. */
  key: string;
  severity: Severity;
  title: string;
  summary: string;
  /** The event that triggered it; for timer rules, the event that started the state or was last heard. */
  event: RuleEvent;
  evidence: Evidence;
  actions: IncidentActions;
}
