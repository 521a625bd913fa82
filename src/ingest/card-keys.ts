import { createHmac } from 'node:crypto';
import { createCardProtector } from '../../devices/card.js';
import type { ProtectedCard } from '../../devices/model.js';

/**
 * One card key per site, derived from the configured site secret: a card hash
 * from one site cannot be matched in another. The ingest thread and the main
 * thread (registers) each hold their own copy; both derive the same keys.
 */
export function siteCardProtectors(siteSecret: string): (site: string) => (card: string) => ProtectedCard {
  const protectors = new Map<string, (card: string) => ProtectedCard>();
  return (site) => {
    let protector = protectors.get(site);
    if (protector === undefined) {
      const siteKey = createHmac('sha256', siteSecret).update(`card-key:${site}`).digest('hex');
      protector = createCardProtector(siteKey);
      protectors.set(site, protector);
    }
    return protector;
  };
}
