import type { SqliteDatabase } from '../store/sqlite.js';
import { containsPattern } from './entry-fields.js';

export interface BlacklistEntry {
  site: string;
  cardHash: string;
  cardMasked: string;
  reason: string;
  addedAt: number;
  addedBy: string;
}

const SELECT = `SELECT site, card_hash AS cardHash, card_masked AS cardMasked, reason, added_at AS addedAt, added_by AS addedBy FROM card_blacklist`;

const indexKey = (site: string, cardHash: string) => `${site}\u0000${cardHash}`;

/** Blacklisted cards per site (the hash is keyed per site, so is the list); a set answers the per-swipe question. */
export class BlacklistTable {
  private readonly listed = new Set<string>();

  constructor(private readonly db: SqliteDatabase) {}

  load(): void {
    this.listed.clear();
    for (const entry of this.db.prepare(SELECT).all() as BlacklistEntry[]) this.listed.add(indexKey(entry.site, entry.cardHash));
  }

  has(site: string, cardHash: string): boolean {
    return this.listed.has(indexKey(site, cardHash));
  }

  get(site: string, cardHash: string): BlacklistEntry | undefined {
    return this.db.prepare(`${SELECT} WHERE site = ? AND card_hash = ?`).get(site, cardHash) as BlacklistEntry | undefined;
  }

  /** By site, then first listed; `search` matches part of the masked card or the reason (case-insensitive). */
  list(site?: string, search?: string): BlacklistEntry[] {
    const where: string[] = [];
    const params: Record<string, string> = {};
    if (site !== undefined) {
      where.push('site = @site');
      params['site'] = site;
    }
    if (search) {
      where.push(`(card_masked LIKE @pattern ESCAPE '\\' OR reason LIKE @pattern ESCAPE '\\')`);
      params['pattern'] = containsPattern(search);
    }
    return this.db.prepare(`${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY site, added_at, card_hash`).all(params) as BlacklistEntry[];
  }

  /** Insert or replace the reason; the first `addedAt`/`addedBy` stay. */
  put(entry: BlacklistEntry): void {
    this.db
      .prepare(
        `INSERT INTO card_blacklist (site, card_hash, card_masked, reason, added_at, added_by)
         VALUES (@site, @cardHash, @cardMasked, @reason, @addedAt, @addedBy)
         ON CONFLICT (site, card_hash) DO UPDATE SET card_masked = excluded.card_masked, reason = excluded.reason`,
      )
      .run(entry);
    this.listed.add(indexKey(entry.site, entry.cardHash));
  }

  remove(site: string, cardHash: string): boolean {
    const removed = this.db.prepare('DELETE FROM card_blacklist WHERE site = ? AND card_hash = ?').run(site, cardHash).changes > 0;
    this.listed.delete(indexKey(site, cardHash));
    return removed;
  }
}
