import type { DeviceKind } from '../../devices/model.js';
import type { Refusal } from './refusals.js';

/**
 * Stable name of a cause, for pages that word it in their own language (the
 * `title` and `hint` are English): one per broker refusal reason, except that
 * `unknown_device` is `refused_before_claim` when every refusal came before
 * the claim, and a reason the gateway does not know is `refused`.
 */
export const CAUSE_KEYS = [
  'wrong_secret',
  'client_id_mismatch',
  'refused_before_claim',
  'unknown_device',
  'missing_credentials',
  'device_disabled',
  'will_topic_not_allowed',
  'acl_publish',
  'acl_subscribe',
  'verification_error',
  'refused',
  'rejected',
  'silent',
  'connected-silent',
] as const;
export type CauseKey = (typeof CAUSE_KEYS)[number];

export interface LikelyCause {
  /** What went wrong, short: "wrong secret", "publishing to the wrong topic (v1/…)". */
  title: string;
  /** What to do about it. */
  hint: string;
  /** Where it comes from: a broker refusal reason, `rejected`, `silent` or `connected-silent`. */
  source: string;
  /** Which cause, for wording it: see CAUSE_KEYS. */
  key: CauseKey;
  /**
   * What exactly was refused, as data: the topic of an ACL refusal or a Last Will, the client id and
   * username presented, or (`rejected`) the codec's errors. Null when there is nothing more to say.
   */
  detail: string | null;
  /** `rejected` only: why the payload was refused (`malformed`, `schema`, `oversize`, …). */
  reason?: string;
  count?: number;
  lastAt?: number;
}

export interface DiagnosisInput {
  device: { id: string; site: string; kind: DeviceKind };
  registeredAt: number;
  connectedAt: number | null;
  seenAt: number | null;
  overdue: boolean;
  silentAfterMinutes: number;
  refusals: readonly Refusal[];
  lastRejection: { reason: string; detail: string; at: number } | null;
}

function topics(device: DiagnosisInput['device']): { prefix: string } {
  return { prefix: `v1/${device.site}/${device.kind}/${device.id}` };
}

export function describeRefusal(refusal: Refusal, input: Pick<DiagnosisInput, 'device' | 'registeredAt'>): LikelyCause {
  const { device } = input;
  const { prefix } = topics(device);
  const base = { source: refusal.reason, detail: refusal.detail, count: refusal.count, lastAt: refusal.lastAt };
  const detail = refusal.detail ? ` (${refusal.detail})` : '';
  switch (refusal.reason) {
    case 'wrong_secret':
      return { ...base, key: 'wrong_secret', title: 'wrong secret', hint: 'the MQTT password is not the secret issued at the claim: enter it again or scan the configuration QR; if it is lost, an admin issues a new one (POST /api/devices/:id/secret)' };
    case 'client_id_mismatch':
      return { ...base, key: 'client_id_mismatch', title: 'wrong client id', hint: `the MQTT client id and the username must both be the device id "${device.id}"${detail}` };
    case 'unknown_device':
      return refusal.lastAt < input.registeredAt
        ? { ...base, key: 'refused_before_claim', title: 'tried to connect before it was claimed', hint: 'it was refused as unknown then; it is registered now and gets in on its next retry (power-cycle it if it has given up)' }
        : { ...base, key: 'unknown_device', title: 'unknown device id', hint: `the gateway does not know "${device.id}" (deleted?): check the username configured in the device` };
    case 'missing_credentials':
      return { ...base, key: 'missing_credentials', title: 'no username or password', hint: `set username "${device.id}" and the secret issued at the claim as password` };
    case 'device_disabled':
      return { ...base, key: 'device_disabled', title: 'device disabled', hint: 'an admin disabled this device; it must be enabled again (POST /api/devices/:id/enable)' };
    case 'will_topic_not_allowed':
      return { ...base, key: 'will_topic_not_allowed', title: `Last Will on the wrong topic${detail}`, hint: `the Last Will must go to ${prefix}/status with payload {"online":false}` };
    case 'acl_publish':
      return { ...base, key: 'acl_publish', title: `publishing to the wrong topic${detail}`, hint: `it may publish only to ${prefix}/event and ${prefix}/status: check site, kind and device id in its topic` };
    case 'acl_subscribe':
      return { ...base, key: 'acl_subscribe', title: `subscribing to a topic it may not${detail}`, hint: `it may subscribe only to ${prefix}/cmd and ${prefix}/reply` };
    case 'verification_error':
      return { ...base, key: 'verification_error', title: 'the gateway could not check the secret', hint: 'a fault on the gateway, not the device: see the gateway log' };
    default:
      return { ...base, key: 'refused', title: `refused: ${refusal.reason}${detail}`, hint: 'see docs/mqtt.md for the refusal reasons' };
  }
}

/** Likely causes, most telling first: broker refusals, rejected payloads, then silence. */
export function likelyCauses(input: DiagnosisInput): LikelyCause[] {
  const causes = input.refusals.map((refusal) => describeRefusal(refusal, input));
  if (input.lastRejection) {
    causes.push({
      source: 'rejected',
      key: 'rejected',
      detail: input.lastRejection.detail,
      reason: input.lastRejection.reason,
      title: `message rejected: ${input.lastRejection.reason}`,
      hint: `the device is connected but its payload was refused: ${input.lastRejection.detail} (it was told on ${topics(input.device).prefix}/reply; GET /api/dead-letters?deviceId=${input.device.id})`,
      lastAt: input.lastRejection.at,
    });
  }
  if (input.overdue && input.seenAt === null && causes.length === 0) {
    causes.push(
      input.connectedAt !== null
        ? { source: 'connected-silent', key: 'connected-silent', detail: null, title: 'connected, but no message', hint: `it logged in but published nothing: it must publish to ${topics(input.device).prefix}/event or /status` }
        : {
            source: 'silent',
            key: 'silent',
            detail: null,
            title: `nothing heard for ${input.silentAfterMinutes} minutes`,
            hint: 'no connection attempt reached the gateway: check power, network (Wi-Fi/4G, APN), and the MQTT host and port configured in the device',
          },
    );
  }
  return causes;
}
