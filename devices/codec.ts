import type { DecodeContext, DecodeFailure, DecodeResult, DecodeSuccess, Reading, UplinkChannel } from './model.js';

export type ChannelDecoder = (bytes: Buffer, context: DecodeContext) => DecodeResult;

/**
 * A model's `decode`: picks the decoder of the message's channel and turns
 * anything a decoder throws into a failure. The contract (model.ts) is that a
 * codec never throws, and one bad payload must not cost the gateway a
 * connection or a batch; the message of an unexpected exception is not
 * echoed, as it could quote the payload.
 */
export function decodeByChannel(decoders: Readonly<Record<UplinkChannel, ChannelDecoder>>) {
  return (bytes: Buffer, context: DecodeContext): DecodeResult => {
    try {
      const decoder = Object.hasOwn(decoders, context.channel) ? decoders[context.channel] : undefined;
      if (!decoder) return schemaFailure('', `this model has no payloads on channel "${String(context.channel)}"`);
      return decoder(bytes, context);
    } catch {
      return { reason: 'malformed', errors: [{ path: '', message: 'payload could not be decoded (fault in the device model; please report it)' }] };
    }
  };
}

export function malformed(message: string): DecodeFailure {
  return { reason: 'malformed', errors: [{ path: '', message }] };
}

export function hexByte(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

export function schemaFailure(path: string, message: string): DecodeFailure {
  return { reason: 'schema', errors: [{ path, message }] };
}

/** `warnings` only when there are some: examples compare whole results. */
export function decoded(data: Reading[], warnings: readonly string[] = []): DecodeSuccess {
  return warnings.length > 0 ? { data, warnings: [...warnings] } : { data };
}

/** Narrows any step's result (parsed JSON, parsed frame, decoded message) to its failure. */
export function isFailure<T extends object>(result: T | DecodeFailure): result is DecodeFailure {
  return 'reason' in result && 'errors' in result;
}
