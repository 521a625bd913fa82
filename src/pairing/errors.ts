import { STATUS_CODES } from 'node:http';

/**
 * Coded errors of pairing. Unlike the plain catalogue in api/errors.ts, some
 * carry details the installer needs (when and by whom a code was used), so
 * they are answered by the pairing routes' own error handler with those
 * details next to the usual statusCode, code, error and message.
 */
export class PairingError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'PairingError';
  }

  toJSON(): Record<string, unknown> {
    return { statusCode: this.statusCode, code: this.code, error: STATUS_CODES[this.statusCode] ?? 'Error', message: this.message, ...this.details };
  }
}

export const PairingErrors = {
  codeInvalid: (message: string, kind: 'format' | 'check') =>
    new PairingError(400, 'GW_CLAIM_CODE_INVALID', message, { problem: kind === 'check' ? 'typo' : 'format' }),
  unknown: (code: string) => new PairingError(404, 'GW_CLAIM_UNKNOWN', `claim code ${code} is not known to this gateway: check the sticker, or ask the admin whether its batch was generated here`),
  used: (code: string, used: { usedAt: number | null; usedBy: string | null; deviceId: string | null }) =>
    new PairingError(
      409,
      'GW_CLAIM_USED',
      `claim code ${code} was already used${used.usedAt !== null ? ` on ${new Date(used.usedAt).toISOString()}` : ''}${used.usedBy ? ` by ${used.usedBy}` : ''}${used.deviceId ? ` for device ${used.deviceId}` : ''}`,
      { usedAt: used.usedAt, usedBy: used.usedBy, deviceId: used.deviceId },
    ),
  wrongSite: (code: string, codeSite: string, site: string, from: 'request' | 'session') =>
    new PairingError(409, 'GW_CLAIM_WRONG_SITE', `claim code ${code} belongs to site ${codeSite}, not ${site} (the ${from}'s site)`, { codeSite, site, from }),
  unknownModel: (model: string) => new PairingError(400, 'GW_UNKNOWN_MODEL', `device model ${model} is not known; GET /api/device-models lists them`),
  modelKindMismatch: (model: string, modelKind: string, code: string, codeKind: string) =>
    new PairingError(400, 'GW_MODEL_KIND_MISMATCH', `device model ${model} is a ${modelKind}, but claim code ${code} is for a ${codeKind}`, { modelKind, codeKind }),
  deviceExists: (deviceId: string) => new PairingError(409, 'GW_DEVICE_EXISTS', `device ${deviceId} is already registered`),
  batchNotFound: (batch: string) => new PairingError(404, 'GW_CLAIM_BATCH_NOT_FOUND', `claim-code batch ${batch} does not exist`),
  deviceNotTracked: (deviceId: string) => new PairingError(404, 'GW_PAIRING_DEVICE_NOT_FOUND', `device ${deviceId} was not claimed through pairing`),
  notTested: (deviceId: string, state: string) =>
    new PairingError(409, 'GW_PAIRING_NOT_TESTED', `device ${deviceId} is ${state}: it can be marked commissioned once its test event arrived`, { state }),
};
