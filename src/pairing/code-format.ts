import { randomInt } from 'node:crypto';
import type { DeviceKind } from '../../devices/model.js';

/**
 * Claim codes as printed on a sticker: `FD-7K3Q-9M2X`. A prefix of 1–4
 * letters names the kind for the eye; the body is 7 random characters and one
 * check character from an alphabet without the look-alikes 0/O, 1/I/L. The
 * alphabet has 31 symbols (a prime), so the weighted check sum mod 31 catches
 * every single mistyped character and every swap of two neighbours.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const RADIX = CODE_ALPHABET.length;
export const RANDOM_LENGTH = 7;
/** Random characters plus the check character. */
export const BODY_LENGTH = RANDOM_LENGTH + 1;
export const PREFIX_PATTERN = /^[A-Z]{1,4}$/;

export const DEFAULT_PREFIXES: Readonly<Record<DeviceKind, string>> = {
  camera: 'CM',
  lock: 'DK',
  'ebike-station': 'EB',
  fire: 'FD',
  team: 'TM',
};

export interface ParsedCode {
  /** Canonical printed form, `FD-7K3Q-9M2X`. */
  code: string;
  /** Upper-case without separators, `FD7K3Q9M2X`: the stored key. */
  compact: string;
  prefix: string;
  body: string;
}

export type ParseFailure = { error: 'format' | 'check'; message: string };

function valueOf(char: string): number {
  return CODE_ALPHABET.indexOf(char);
}

export function checkCharacter(random: string): string {
  let sum = 0;
  for (let i = 0; i < random.length; i++) sum += (i + 1) * valueOf(random[i]!);
  return CODE_ALPHABET[sum % RADIX]!;
}

export function formatCode(prefix: string, body: string): string {
  return `${prefix}-${body.slice(0, 4)}-${body.slice(4)}`;
}

/** A fresh random code with its check character. */
export function generateCode(prefix: string, random: (max: number) => number = randomInt): ParsedCode {
  let chars = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) chars += CODE_ALPHABET[random(RADIX)]!;
  const body = chars + checkCharacter(chars);
  return { code: formatCode(prefix, body), compact: prefix + body, prefix, body };
}

/**
 * Reads a code as an installer types or scans it: any case, with or without
 * dashes or spaces. Says whether it is malformed or fails its check
 * character (a typo), without looking it up.
 */
export function parseCode(input: string): ParsedCode | ParseFailure {
  const compact = input.toUpperCase().replace(/[\s_-]+/g, '');
  if (compact.length <= BODY_LENGTH || compact.length > BODY_LENGTH + 4) {
    return { error: 'format', message: 'a claim code looks like FD-7K3Q-9M2X: a prefix of 1 to 4 letters and 8 characters' };
  }
  const prefix = compact.slice(0, compact.length - BODY_LENGTH);
  const body = compact.slice(compact.length - BODY_LENGTH);
  if (!PREFIX_PATTERN.test(prefix)) return { error: 'format', message: `the prefix "${prefix}" must be 1 to 4 letters` };
  const wrong = [...body].find((char) => valueOf(char) < 0);
  if (wrong !== undefined) {
    return { error: 'format', message: `"${wrong}" never appears in a claim code (no 0, 1, I, L or O): check the sticker` };
  }
  if (checkCharacter(body.slice(0, RANDOM_LENGTH)) !== body.slice(RANDOM_LENGTH)) {
    return { error: 'check', message: 'this code has a typo: its check character does not match; check the sticker' };
  }
  return { code: formatCode(prefix, body), compact, prefix, body };
}

export function isParseFailure(value: ParsedCode | ParseFailure): value is ParseFailure {
  return 'error' in value;
}
