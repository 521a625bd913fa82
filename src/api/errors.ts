import createError from '@fastify/error';

/** One catalogue of coded API errors (fastify's error shape: statusCode, code, error, message). */
export const ApiErrors = {
  Unauthorized: createError('GW_UNAUTHORIZED', 'authentication required: log in, or send "Authorization: Bearer <token>"', 401),
  Forbidden: createError('GW_FORBIDDEN', 'role %s may not %s', 403),
  DeviceNotFound: createError('GW_DEVICE_NOT_FOUND', 'device %s is not registered', 404),
  DeviceExists: createError('GW_DEVICE_EXISTS', 'device %s is already registered', 409),
  UnknownModel: createError('GW_UNKNOWN_MODEL', 'device model %s is not known; GET /api/device-models lists them', 400),
  ModelKindMismatch: createError('GW_MODEL_KIND_MISMATCH', 'device model %s is for kind %s, not %s', 400),
};
