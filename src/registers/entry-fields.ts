import { normalizeCard } from '../../devices/card.js';
import { tagIdOf, tagNumberOf } from '../../devices/tagway/tag-id.js';
import { SITE_PATTERN } from '../broker/topics.js';
import { RegisterInputError } from './errors.js';

/**
 * Checks and canonical forms of register fields. Each check throws a
 * RegisterInputError that names the field and what was expected, without the
 * value (it may be a card number typed into the wrong place).
 */

/** As the lock codec (devices/anmen/l3.ts) accepts them: 18-character resident ID number or a 4–10-byte UID. */
const ID_NUMBER = /^\d{17}[\dX]$/;
const CARD_UID = /^(?:[0-9A-F]{2}){4,10}$/;
const ID_NUMBER_RUN = /(?<!\d)\d{17}[\dXx](?!\d)/;
export const CARD_HASH_PATTERN = /^[0-9a-f]{64}$/;
/** maskCard's output: upper-case letters and digits with at least one star. */
const MASKED_PATTERN = /^(?=.*\*)[0-9A-Z*]{1,32}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/;
/** The lock sends its room as text of 1–16 characters; a register room must be able to equal it. */
export const ROOM_MAX = 16;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

const looksPersonal = (text: string) => ID_NUMBER_RUN.test(text) || ID_NUMBER_RUN.test(text.replace(/[\s-]+/g, ''));

export function siteOf(site: string): string {
  if (!SITE_PATTERN.test(site)) throw new RegisterInputError('site', `expected a site id matching ${SITE_PATTERN.source}`);
  return site;
}

export function roomOf(room: string): string {
  if (looksPersonal(room)) throw new RegisterInputError('room', 'expected a room number, not an ID number');
  if (room.length < 1 || room.length > ROOM_MAX || CONTROL.test(room)) {
    throw new RegisterInputError('room', `expected text of 1–${ROOM_MAX} characters, as the lock reports it`);
  }
  return room;
}

/** Only checks: the clear card goes to the protector and nowhere else. */
export function checkCard(card: string): void {
  const normalized = normalizeCard(card);
  if (!ID_NUMBER.test(normalized) && !CARD_UID.test(normalized)) {
    throw new RegisterInputError('card', 'expected 18-character ID number or 8–20 hex UID');
  }
}

export function cardHashOf(hash: string, field = 'cardHash'): string {
  if (!CARD_HASH_PATTERN.test(hash)) throw new RegisterInputError(field, 'expected 64 lower-case hex digits (the card hash)');
  return hash;
}

export function cardMaskedOf(masked: string): string {
  if (!MASKED_PATTERN.test(masked) || looksPersonal(masked)) {
    throw new RegisterInputError('cardMasked', 'expected a masked card such as 330***********1234');
  }
  return masked;
}

/** `T` and 8 upper-case hex digits (devices/tagway/tag-id.ts); either case is accepted. */
export function tagOf(tag: string): string {
  const number = tagNumberOf(tag);
  if (number === undefined) throw new RegisterInputError('tag', 'expected a tag id: T and 8 hex digits, e.g. T0001E240');
  return tagIdOf(number);
}

/** Free text people type (names, reasons, notes): bounded, one line unless `lines`, and never an ID number. */
export function textOf(field: string, text: string, max: number, lines: 'one line' | 'lines' = 'one line'): string {
  const trimmed = text.trim();
  if (looksPersonal(trimmed)) throw new RegisterInputError(field, 'expected text, not an ID number');
  const control = lines === 'lines' ? CONTROL_BUT_LINE_BREAKS : CONTROL;
  if (trimmed.length < 1 || trimmed.length > max || control.test(trimmed)) {
    throw new RegisterInputError(field, `expected text of 1–${max} characters${lines === 'lines' ? '' : ' on one line'}`);
  }
  return trimmed;
}

export function optionalTextOf(field: string, text: string | null | undefined, max: number, lines: 'one line' | 'lines' = 'one line'): string | null {
  return text === undefined || text === null || text.trim() === '' ? null : textOf(field, text, max, lines);
}

export function epochMsOf(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RegisterInputError(field, 'expected epoch milliseconds (integer ≥ 0)');
  return value;
}

/** CSV time cells: epoch ms, or ISO 8601 with an explicit offset (a bare date would leave the time zone to guesswork). */
export function timeCellOf(field: string, cell: string): number {
  const text = cell.trim();
  if (/^\d{1,16}$/.test(text)) return epochMsOf(field, Number(text));
  const parsed = ISO_TIME.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(parsed)) {
    throw new RegisterInputError(field, 'expected epoch milliseconds or ISO 8601 time with offset, e.g. 2025-12-31T23:59:59+08:00');
  }
  return parsed;
}

/** A SQL LIKE pattern (with `ESCAPE '\\'`) that matches `text` anywhere, its own `%` and `_` taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}
