import { createHmac } from 'node:crypto';
import type { ProtectedCard } from './model.js';

/**
 * ID-card numbers and card UIDs are personal data: the gateway keeps only a
 * keyed hash (to match "this card, this room" and blacklists) and a masked
 * display form. A plain hash would not do: an 18-digit ID number has so little
 * entropy that every birth date and district can be hashed in minutes.
 */

/** Readers print numbers with spaces or dashes and a lower-case check letter; one card must give one hash. */
export function normalizeCard(card: string): string {
  return card.trim().replace(/[\s-]+/g, '').toUpperCase();
}

/** 330106199001011234 → 330***********1234 (region + last four, as printed on Chinese receipts); 04A1B2C3 → ******C3. */
export function maskCard(card: string): string {
  const normalized = normalizeCard(card);
  const length = normalized.length;
  if (length >= 12) return `${normalized.slice(0, 3)}${'*'.repeat(length - 7)}${normalized.slice(-4)}`;
  // Two visible characters of a short UID would be most of it.
  if (length < 4) return '*'.repeat(length);
  return `${'*'.repeat(length - 2)}${normalized.slice(-2)}`;
}

export function createCardProtector(siteSecret: string): (card: string) => ProtectedCard {
  if (typeof siteSecret !== 'string' || siteSecret.length === 0) {
    throw new TypeError('createCardProtector: siteSecret must be a non-empty string');
  }
  return (card) => {
    const normalized = normalizeCard(card);
    return {
      hash: createHmac('sha256', siteSecret).update(normalized, 'utf8').digest('hex'),
      masked: maskCard(normalized),
    };
  };
}
