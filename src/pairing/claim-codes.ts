import { randomBytes } from 'node:crypto';
import type { DeviceKind } from '../../devices/model.js';
import type { SqliteDatabase } from '../store/sqlite.js';
import { DEFAULT_PREFIXES, generateCode, formatCode, BODY_LENGTH } from './code-format.js';

export { PAIRING_MIGRATION } from './schema.js';

export const MAX_BATCH = 500;

export interface ClaimBatch {
  id: string;
  site: string;
  kind: DeviceKind;
  prefix: string;
  count: number;
  label: string | null;
  createdAt: number;
  createdBy: string;
  /** Codes of the batch already claimed. */
  used: number;
}

export interface ClaimCode {
  /** As printed: `FD-7K3Q-9M2X`. */
  code: string;
  batchId: string;
  site: string;
  kind: DeviceKind;
  createdAt: number;
  usedAt: number | null;
  usedBy: string | null;
  deviceId: string | null;
}

export interface NewBatch {
  site: string;
  kind: DeviceKind;
  count: number;
  prefix?: string | undefined;
  label?: string | undefined;
  by: string;
  now: number;
}

export interface CodeFilter {
  batchId?: string | undefined;
  site?: string | undefined;
  kind?: DeviceKind | undefined;
  used?: boolean | undefined;
}

interface BatchRow {
  id: string;
  site: string;
  kind: DeviceKind;
  prefix: string;
  count: number;
  label: string | null;
  created_at: number;
  created_by: string;
  used: number;
}

interface CodeRow {
  code: string;
  batch_id: string;
  site: string;
  kind: DeviceKind;
  created_at: number;
  used_at: number | null;
  used_by: string | null;
  device_id: string | null;
}

/** Claim codes in SQLite: generated in batches by an admin, each consumed once by a claim. */
export class ClaimCodes {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly random?: (max: number) => number,
  ) {}

  createBatch(request: NewBatch): { batch: ClaimBatch; codes: ClaimCode[] } {
    if (!Number.isInteger(request.count) || request.count < 1 || request.count > MAX_BATCH) {
      throw new RangeError(`count must be 1..${MAX_BATCH}`);
    }
    const prefix = request.prefix ?? DEFAULT_PREFIXES[request.kind];
    const id = `cb_${randomBytes(6).toString('hex')}`;
    const insertCode = this.db.prepare(
      `INSERT OR IGNORE INTO pairing_claim_codes (code, batch_id, seq, site, kind, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO pairing_batches (id, site, kind, prefix, count, label, created_at, created_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, request.site, request.kind, prefix, request.count, request.label ?? null, request.now, request.by);
      for (let seq = 1; seq <= request.count; seq++) {
        // 31^7 codes per prefix: a collision is rare, and simply drawn again.
        for (let attempt = 0; ; attempt++) {
          if (attempt === 20) throw new Error(`could not draw a unique claim code for prefix ${prefix}`);
          const code = generateCode(prefix, this.random);
          if (insertCode.run(code.compact, id, seq, request.site, request.kind, request.now).changes === 1) break;
        }
      }
    })();
    return { batch: this.batch(id)!, codes: this.list({ batchId: id }) };
  }

  batch(id: string): ClaimBatch | undefined {
    const row = this.db.prepare(`${BATCH_SELECT} WHERE b.id = ? GROUP BY b.id`).get(id) as BatchRow | undefined;
    return row ? batchFromRow(row) : undefined;
  }

  batches(filter: { site?: string | undefined; kind?: DeviceKind | undefined } = {}): ClaimBatch[] {
    const rows = this.db
      .prepare(
        `${BATCH_SELECT} WHERE (@site IS NULL OR b.site = @site) AND (@kind IS NULL OR b.kind = @kind)
         GROUP BY b.id ORDER BY b.created_at DESC, b.id`,
      )
      .all({ site: filter.site ?? null, kind: filter.kind ?? null }) as BatchRow[];
    return rows.map(batchFromRow);
  }

  list(filter: CodeFilter = {}, page: { limit?: number; offset?: number } = {}): ClaimCode[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM pairing_claim_codes WHERE ${CODE_WHERE}
         ORDER BY created_at, batch_id, seq LIMIT @limit OFFSET @offset`,
      )
      .all({ ...codeParams(filter), limit: page.limit ?? -1, offset: page.offset ?? 0 }) as CodeRow[];
    return rows.map(codeFromRow);
  }

  count(filter: CodeFilter = {}): number {
    const row = this.db.prepare(`SELECT COUNT(*) AS n FROM pairing_claim_codes WHERE ${CODE_WHERE}`).get(codeParams(filter)) as { n: number };
    return row.n;
  }

  /** The sites claim codes were generated for, with how many of their codes are still free: what an installer can be working on. */
  sites(): { site: string; codes: number; unused: number }[] {
    return this.db
      .prepare('SELECT site, COUNT(*) AS codes, COUNT(*) - COUNT(used_at) AS unused FROM pairing_claim_codes GROUP BY site ORDER BY site')
      .all() as { site: string; codes: number; unused: number }[];
  }

  /** By the compact form (`FD7K3Q9M2X`), as `parseCode` gives it. */
  find(compact: string): ClaimCode | undefined {
    const row = this.db.prepare('SELECT * FROM pairing_claim_codes WHERE code = ?').get(compact) as CodeRow | undefined;
    return row ? codeFromRow(row) : undefined;
  }

  /** Marks the code used; false when it was used already (or does not exist). */
  markUsed(compact: string, use: { deviceId: string; by: string; at: number }): boolean {
    return (
      this.db
        .prepare('UPDATE pairing_claim_codes SET used_at = ?, used_by = ?, device_id = ? WHERE code = ? AND used_at IS NULL')
        .run(use.at, use.by, use.deviceId, compact).changes === 1
    );
  }
}

const BATCH_SELECT = `
  SELECT b.*, COUNT(c.used_at) AS used
  FROM pairing_batches b LEFT JOIN pairing_claim_codes c ON c.batch_id = b.id`;

const CODE_WHERE = `(@batchId IS NULL OR batch_id = @batchId)
  AND (@site IS NULL OR site = @site)
  AND (@kind IS NULL OR kind = @kind)
  AND (@used IS NULL OR (used_at IS NOT NULL) = @used)`;

function codeParams(filter: CodeFilter): Record<string, string | number | null> {
  return {
    batchId: filter.batchId ?? null,
    site: filter.site ?? null,
    kind: filter.kind ?? null,
    used: filter.used === undefined ? null : filter.used ? 1 : 0,
  };
}

function batchFromRow(row: BatchRow): ClaimBatch {
  return {
    id: row.id,
    site: row.site,
    kind: row.kind,
    prefix: row.prefix,
    count: row.count,
    label: row.label,
    createdAt: row.created_at,
    createdBy: row.created_by,
    used: row.used,
  };
}

function codeFromRow(row: CodeRow): ClaimCode {
  const prefix = row.code.slice(0, row.code.length - BODY_LENGTH);
  return {
    code: formatCode(prefix, row.code.slice(prefix.length)),
    batchId: row.batch_id,
    site: row.site,
    kind: row.kind,
    createdAt: row.created_at,
    usedAt: row.used_at,
    usedBy: row.used_by,
    deviceId: row.device_id,
  };
}
