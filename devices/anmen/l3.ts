import { z } from 'zod';
import { normalizeCard } from '../card.js';
import { decodeByChannel, decoded, isFailure, schemaFailure, type ChannelDecoder } from '../codec.js';
import { envelopeShape, textUpTo } from '../fields.js';
import { decodeHeartbeat } from '../heartbeat.js';
import { decodeJson } from '../json.js';
import { deviceStatus, lockSwipe } from '../measurements.js';
import type { DecodeContext, DeviceModel } from '../model.js';
import { reading } from '../reading.js';
import { l3Examples } from './l3.examples.js';

/**
 * A swipe names a person: the card is an 18-character resident ID number
 * (GB 11643, last character a digit or X) or the UID of an IC card. The codec
 * hands it to `context.protectCard` and keeps only the hash and the masked
 * form; errors about it say what was expected and withhold what was sent.
 */

const ID_NUMBER = /^\d{17}[\dX]$/;
/** Whole bytes: 4-, 7- and 10-byte UIDs are the common ones (8, 14, 20 hex digits). */
const CARD_UID = /^(?:[0-9A-F]{2}){4,10}$/;
/** An ID number typed into the wrong field (room, reason, id) must not be stored or echoed either. */
const ID_NUMBER_RUN = /(?<!\d)\d{17}[\dXx](?!\d)/;
const CARD_EXPECTED = 'expected 18-character ID number or 8–20 hex UID';
const UID_EXPECTED = 'expected 8–20 hex UID';
const CARD_METHODS: ReadonlySet<string> = new Set(['idcard', 'ic']);

/** Generous (separators removed, long numbers count): it decides what errors withhold, and refuses rooms and reasons, where such a run is never legitimate. */
const looksPersonal = (value: unknown): boolean =>
  typeof value === 'string'
    ? ID_NUMBER_RUN.test(value) || ID_NUMBER_RUN.test(value.replace(/[\s-]+/g, ''))
    : typeof value === 'number' && Math.abs(value) >= 1e14;

/**
 * Text that must not be an ID number. The check runs before the length check
 * so that an ID number is reported once, as such, and withheld.
 */
function notPersonal(max: number, what: string, isPersonal: (text: string) => boolean = looksPersonal) {
  return z
    .string({ message: `expected text of 1–${max} characters` })
    .refine((text) => !isPersonal(text), { message: `expected ${what}, not an ID number` })
    .pipe(textUpTo(max));
}

const swipeSchema = z
  .object({
    ...envelopeShape,
    // Message ids are often digit runs joined by dashes (time + sequence): only a bare ID-number run is refused.
    id: notPersonal(64, 'a message id', (text) => ID_NUMBER_RUN.test(text)).optional(),
    event: z.literal('swipe').optional(),
    room: notPersonal(16, 'a room number'),
    card: z
      .string({ message: CARD_EXPECTED })
      .transform(normalizeCard)
      .refine((card) => ID_NUMBER.test(card) || CARD_UID.test(card), { message: CARD_EXPECTED })
      .optional(),
    cardUid: z
      .string({ message: UID_EXPECTED })
      .transform(normalizeCard)
      .refine((uid) => CARD_UID.test(uid), { message: UID_EXPECTED })
      .optional(),
    result: z.enum(['granted', 'denied']),
    method: z.enum(['idcard', 'ic', 'pin', 'app', 'key']),
    /** why a swipe was denied, in the lock's words: not_registered, blacklisted, expired, … */
    reason: notPersonal(64, 'a reason').optional(),
  })
  .strict();

type Swipe = z.infer<typeof swipeSchema>;

function cardTypeOf(swipe: Swipe): 'id_number' | 'uid' | undefined {
  if (swipe.card !== undefined) return ID_NUMBER.test(swipe.card) ? 'id_number' : 'uid';
  return swipe.cardUid !== undefined ? 'uid' : undefined;
}

const decodeSwipe: ChannelDecoder = (bytes, context: DecodeContext) => {
  const result = decodeJson(bytes, swipeSchema, { personalKeys: ['card', 'cardUid'], isPersonalValue: looksPersonal });
  if (isFailure(result)) return result;
  const swipe = result.value;
  if (swipe.card !== undefined && swipe.cardUid !== undefined) return schemaFailure('cardUid', 'give card or cardUid, not both');
  const card = swipe.card ?? swipe.cardUid;
  if (card === undefined && CARD_METHODS.has(swipe.method)) {
    return schemaFailure('card', `required for method "${swipe.method}", ${CARD_EXPECTED} (or cardUid)`);
  }
  const protectedCard = card === undefined ? undefined : context.protectCard(card);
  return decoded(
    [
      reading(lockSwipe, 'swipe', {
        ts: swipe.ts,
        tags: {
          result: swipe.result,
          method: swipe.method,
          card_type: cardTypeOf(swipe),
        },
        fields: {
          room: swipe.room,
          card_hash: protectedCard?.hash,
          card_masked: protectedCard?.masked,
          reason: swipe.reason,
          msg_id: swipe.id,
        },
      }),
    ],
    result.warnings,
  );
};

export const l3: DeviceModel = {
  kind: 'lock',
  vendor: 'anmen',
  model: 'l3',
  description:
    'Anmen L3 rental-room door lock: ID-card, IC-card, PIN, app and key openings on event (cards are hashed and masked by the codec); battery and RSSI heartbeat every 300 s on status.',
  heartbeatSeconds: 300,
  payloadFormats: ['json'],
  measurements: [lockSwipe, deviceStatus],
  decode: decodeByChannel({ event: decodeSwipe, status: decodeHeartbeat }),
  examples: l3Examples,
};
