import pino, { type DestinationStream, type Logger } from 'pino';

/** Structured JSON logs; object first, message second. Secrets are redacted wherever they appear. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'village-gateway' },
      redact: {
        paths: ['password', 'secret', 'token', '*.password', '*.secret', '*.token', 'req.headers.authorization', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export type { Logger };
