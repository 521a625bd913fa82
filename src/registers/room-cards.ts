import type { SqliteDatabase } from '../store/sqlite.js';
import { containsPattern } from './entry-fields.js';

export interface RoomCard {
  site: string;
  room: string;
  cardHash: string;
  cardMasked: string;
  tenantName: string | null;
  /** Epoch ms; the card opens the room up to and including this instant. Null: no end. */
  validUntil: number | null;
  addedAt: number;
  addedBy: string;
}

const SELECT = `SELECT site, room, card_hash AS cardHash, card_masked AS cardMasked, tenant_name AS tenantName,
  valid_until AS validUntil, added_at AS addedAt, added_by AS addedBy FROM room_cards`;

/** What the register pages search by: room, tenant name or masked card (e.g. its last four digits). */
export interface RoomCardSearch {
  site?: string | undefined;
  /** Part of the room, the tenant's name or the masked card (case-insensitive). */
  search?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

const SEARCH = `(room LIKE @pattern ESCAPE '\\' OR tenant_name LIKE @pattern ESCAPE '\\' OR card_masked LIKE @pattern ESCAPE '\\')`;

const indexKey = (site: string, room: string, cardHash: string) => `${site}\u0000${room}\u0000${cardHash}`;

/** Rooms' registered cards: SQLite for keeping, a map (key → validUntil) for the per-swipe look-up. */
export class RoomCardTable {
  private readonly validity = new Map<string, number | null>();

  constructor(private readonly db: SqliteDatabase) {}

  load(): void {
    this.validity.clear();
    for (const card of this.db.prepare(SELECT).all() as RoomCard[]) this.validity.set(indexKey(card.site, card.room, card.cardHash), card.validUntil);
  }

  isRegistered(site: string, room: string, cardHash: string, now: number): boolean {
    const validUntil = this.validity.get(indexKey(site, room, cardHash));
    return validUntil !== undefined && (validUntil === null || now <= validUntil);
  }

  get(site: string, room: string, cardHash: string): RoomCard | undefined {
    return this.db.prepare(`${SELECT} WHERE site = ? AND room = ? AND card_hash = ?`).get(site, room, cardHash) as RoomCard | undefined;
  }

  list(filter: { site?: string | undefined; room?: string | undefined } = {}): RoomCard[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.site !== undefined) {
      where.push('site = ?');
      params.push(filter.site);
    }
    if (filter.room !== undefined) {
      where.push('room = ?');
      params.push(filter.room);
    }
    return this.db.prepare(`${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY site, room, added_at, card_hash`).all(...params) as RoomCard[];
  }

  /** By site, room, first added; `total` counts every match, `cards` is one page of them. */
  search(query: RoomCardSearch = {}): { total: number; cards: RoomCard[] } {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (query.site !== undefined) {
      where.push('site = @site');
      params['site'] = query.site;
    }
    if (query.search) {
      where.push(SEARCH);
      params['pattern'] = containsPattern(query.search);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM room_cards ${clause}`).get(params) as { n: number }).n;
    const cards = this.db
      .prepare(`${SELECT} ${clause} ORDER BY site, room, added_at, card_hash LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: query.limit ?? 100, offset: query.offset ?? 0 }) as RoomCard[];
    return { total, cards };
  }

  /** Insert or replace; a re-registered card keeps its first `addedAt`/`addedBy`. */
  put(card: RoomCard): void {
    this.db
      .prepare(
        `INSERT INTO room_cards (site, room, card_hash, card_masked, tenant_name, valid_until, added_at, added_by)
         VALUES (@site, @room, @cardHash, @cardMasked, @tenantName, @validUntil, @addedAt, @addedBy)
         ON CONFLICT (site, room, card_hash) DO UPDATE SET
           card_masked = excluded.card_masked, tenant_name = excluded.tenant_name, valid_until = excluded.valid_until`,
      )
      .run(card);
    this.validity.set(indexKey(card.site, card.room, card.cardHash), card.validUntil);
  }

  remove(site: string, room: string, cardHash: string): boolean {
    const removed = this.db.prepare('DELETE FROM room_cards WHERE site = ? AND room = ? AND card_hash = ?').run(site, room, cardHash).changes > 0;
    this.validity.delete(indexKey(site, room, cardHash));
    return removed;
  }
}
