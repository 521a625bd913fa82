/**
 * One canonical tag id for both payload formats, so a stolen-tag list and a
 * bike's track match whichever way a reader reported the sighting: "T" and the
 * 32-bit tag number as 8 upper-case hex digits (tag 123456 → T0001E240). It is
 * also what is printed on the tag.
 */
export const TAG_ID_PATTERN = /^[Tt][0-9A-Fa-f]{8}$/;
export const MAX_TAG_NUMBER = 0xffff_ffff;

export function tagIdOf(tagNumber: number): string {
  return `T${tagNumber.toString(16).toUpperCase().padStart(8, '0')}`;
}

/** A tag as a device may write it: the number, or its id in either case. Undefined when it is neither. */
export function tagNumberOf(tag: unknown): number | undefined {
  if (typeof tag === 'number') return Number.isInteger(tag) && tag >= 0 && tag <= MAX_TAG_NUMBER ? tag : undefined;
  return typeof tag === 'string' && TAG_ID_PATTERN.test(tag) ? Number.parseInt(tag.slice(1), 16) : undefined;
}
