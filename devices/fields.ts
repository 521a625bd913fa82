import { z } from 'zod';

/**
 * Zod building blocks for payload fields. Each one carries its whole
 * expectation in one message that starts with "expected …"; the issue
 * formatter (issues.ts) then adds what the device actually sent, so a
 * rejection reads `expected integer 0–100, got "low"` whatever went wrong.
 */

export function integerIn(min: number, max: number) {
  const expected = `expected integer ${min}–${max}`;
  return z.number({ message: expected }).int({ message: expected }).min(min, { message: expected }).max(max, { message: expected });
}

export function numberIn(min: number, max: number) {
  const expected = `expected number ${min}–${max}`;
  return z.number({ message: expected }).min(min, { message: expected }).max(max, { message: expected });
}

export function textUpTo(max: number) {
  const expected = `expected text of 1–${max} characters`;
  return z.string({ message: expected }).min(1, { message: expected }).max(max, { message: expected });
}

/** Device time. Plausibility (too old, in the future) is the gateway's call, not the codec's. */
export function epochMs() {
  const expected = 'expected epoch milliseconds (integer > 0)';
  return z.number({ message: expected }).int({ message: expected }).min(1, { message: expected }).max(Number.MAX_SAFE_INTEGER, { message: expected });
}

/** The fields every JSON payload may carry (DESIGN.md: `ts`; `id` is echoed back on `reply`). */
export const envelopeShape = {
  ts: epochMs().optional(),
  id: textUpTo(64).optional(),
};
