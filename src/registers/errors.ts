import createError from '@fastify/error';

/**
 * A register entry that does not hold up. `expected` says what was wanted and
 * never repeats what was sent: the value may be an ID-card number.
 */
export class RegisterInputError extends Error {
  constructor(
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${field}: ${expected}`);
  }
}

/** Coded API errors of the registers (fastify's error shape), next to the gateway's catalogue in api/errors.ts. */
export const RegisterApiErrors = {
  InvalidEntry: createError('GW_REGISTER_INVALID_ENTRY', '%s', 400),
  RoomCardNotFound: createError('GW_ROOM_CARD_NOT_FOUND', 'card %s is not registered to room %s of site %s', 404),
  CardNotBlacklisted: createError('GW_CARD_NOT_BLACKLISTED', 'card %s is not on the blacklist of site %s', 404),
  TagNotStolen: createError('GW_TAG_NOT_STOLEN', 'tag %s is not reported stolen', 404),
};
