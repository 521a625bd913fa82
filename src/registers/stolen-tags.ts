import type { SqliteDatabase } from '../store/sqlite.js';

export interface StolenTag {
  /** Canonical tag id: T and 8 upper-case hex digits. */
  tag: string;
  ownerName: string;
  /** Personal data the operators need to call the owner back: returned to them, never logged. */
  ownerContact: string;
  reportedAt: number;
  note: string | null;
  addedAt: number;
  addedBy: string;
}

export interface StolenTagSearch {
  /** Part of the tag id, owner name, contact or note (case-insensitive). */
  search?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

const SELECT = `SELECT tag, owner_name AS ownerName, owner_contact AS ownerContact, reported_at AS reportedAt, note,
  added_at AS addedAt, added_by AS addedBy FROM stolen_tags`;
const SEARCH = `WHERE tag LIKE @pattern ESCAPE '\\' OR owner_name LIKE @pattern ESCAPE '\\'
  OR owner_contact LIKE @pattern ESCAPE '\\' OR note LIKE @pattern ESCAPE '\\'`;

/** E-bike tags reported stolen. A recovered tag's row is deleted: the owner's contact is kept no longer than needed. */
export class StolenTagTable {
  private readonly stolen = new Set<string>();

  constructor(private readonly db: SqliteDatabase) {}

  load(): void {
    this.stolen.clear();
    for (const { tag } of this.db.prepare('SELECT tag FROM stolen_tags').all() as { tag: string }[]) this.stolen.add(tag);
  }

  has(tag: string): boolean {
    return this.stolen.has(tag);
  }

  get(tag: string): StolenTag | undefined {
    return this.db.prepare(`${SELECT} WHERE tag = ?`).get(tag) as StolenTag | undefined;
  }

  /** Most recently reported first. */
  search(query: StolenTagSearch = {}): { total: number; tags: StolenTag[] } {
    const where = query.search ? SEARCH : '';
    const params = query.search ? { pattern: `%${query.search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%` } : {};
    const total = (this.db.prepare(`SELECT count(*) AS n FROM stolen_tags ${where}`).get(params) as { n: number }).n;
    const tags = this.db
      .prepare(`${SELECT} ${where} ORDER BY reported_at DESC, tag LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: query.limit ?? 100, offset: query.offset ?? 0 }) as StolenTag[];
    return { total, tags };
  }

  /** Insert or replace; the first `addedAt`/`addedBy` stay. */
  put(entry: StolenTag): void {
    this.db
      .prepare(
        `INSERT INTO stolen_tags (tag, owner_name, owner_contact, reported_at, note, added_at, added_by)
         VALUES (@tag, @ownerName, @ownerContact, @reportedAt, @note, @addedAt, @addedBy)
         ON CONFLICT (tag) DO UPDATE SET owner_name = excluded.owner_name, owner_contact = excluded.owner_contact,
           reported_at = excluded.reported_at, note = excluded.note`,
      )
      .run(entry);
    this.stolen.add(entry.tag);
  }

  remove(tag: string): boolean {
    const removed = this.db.prepare('DELETE FROM stolen_tags WHERE tag = ?').run(tag).changes > 0;
    this.stolen.delete(tag);
    return removed;
  }
}
