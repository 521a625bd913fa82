import type { BlacklistEntry } from './blacklist.js';
import { CsvSyntaxError, parseCsv } from './csv.js';
import type { RoomCard } from './room-cards.js';
import type { RegisterName } from './schema.js';
import type { StolenTag } from './stolen-tags.js';

/**
 * Column layouts of the register CSV files. An export can be imported again
 * (backup, moving to a new gateway with the same site key): card exports carry
 * the hash and the masked form, and an import takes either the clear `card`
 * (protected on the way in) or that pair. Export-only columns (`added_at`, …)
 * are accepted and ignored; any other unknown column is refused, so a typo in
 * a header does not silently drop a column.
 */

export interface ImportIssue {
  /** 1-based line in the file (the header is line 1). */
  line: number;
  message: string;
}

export interface ImportReport {
  imported: number;
  errors: ImportIssue[];
}

export interface CsvRow {
  line: number;
  /** By column name; absent columns read as ''. */
  cell(column: string): string;
}

interface CsvFormat {
  exportColumns: readonly string[];
  importColumns: readonly string[];
  /** The columns an import must have; alternatives for cards. */
  requiredSets: readonly (readonly string[])[];
}

const CARD_IDENTITY = [['card'], ['card_hash', 'card_masked']] as const;

export const CSV_FORMATS: Readonly<Record<RegisterName, CsvFormat>> = {
  'room-cards': {
    exportColumns: ['site', 'room', 'card_masked', 'card_hash', 'tenant_name', 'valid_until', 'added_at', 'added_by'],
    importColumns: ['site', 'room', 'card', 'card_hash', 'card_masked', 'tenant_name', 'valid_until'],
    requiredSets: CARD_IDENTITY.map((identity) => ['site', 'room', ...identity]),
  },
  blacklist: {
    exportColumns: ['site', 'card_masked', 'card_hash', 'reason', 'added_at', 'added_by'],
    importColumns: ['site', 'card', 'card_hash', 'card_masked', 'reason'],
    requiredSets: CARD_IDENTITY.map((identity) => ['site', 'reason', ...identity]),
  },
  'stolen-tags': {
    exportColumns: ['tag', 'owner_name', 'owner_contact', 'reported_at', 'note', 'added_at', 'added_by'],
    importColumns: ['tag', 'owner_name', 'owner_contact', 'reported_at', 'note'],
    requiredSets: [['tag', 'owner_name', 'owner_contact']],
  },
};

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

export const exportRow = {
  'room-cards': (c: RoomCard) => [c.site, c.room, c.cardMasked, c.cardHash, c.tenantName ?? '', iso(c.validUntil), iso(c.addedAt), c.addedBy],
  blacklist: (b: BlacklistEntry) => [b.site, b.cardMasked, b.cardHash, b.reason, iso(b.addedAt), b.addedBy],
  'stolen-tags': (s: StolenTag) => [s.tag, s.ownerName, s.ownerContact, iso(s.reportedAt), s.note ?? '', iso(s.addedAt), s.addedBy],
} as const;

/** The header checked and the records split into rows; what cannot be read is reported by line, never thrown. */
export function readImportTable(register: RegisterName, text: string): { rows: CsvRow[]; errors: ImportIssue[] } {
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) return { rows: [], errors: [{ line: err.line, message: `not RFC 4180 CSV: ${err.message}` }] };
    throw err;
  }
  const [header, ...body] = records;
  if (!header) return { rows: [], errors: [{ line: 1, message: 'empty file: expected a header row' }] };
  const format = CSV_FORMATS[register];
  const columns = header.fields.map((name) => name.trim().toLowerCase());
  const headerError = checkHeader(format, columns);
  if (headerError) return { rows: [], errors: [{ line: header.line, message: headerError }] };

  const rows: CsvRow[] = [];
  const errors: ImportIssue[] = [];
  for (const record of body) {
    if (record.fields.length !== columns.length) {
      errors.push({ line: record.line, message: `${record.fields.length} fields, the header has ${columns.length}` });
      continue;
    }
    const cells = new Map(columns.map((column, i) => [column, record.fields[i] ?? '']));
    rows.push({ line: record.line, cell: (column) => cells.get(column) ?? '' });
  }
  return { rows, errors };
}

function checkHeader(format: CsvFormat, columns: readonly string[]): string | undefined {
  const known = new Set([...format.importColumns, ...format.exportColumns]);
  const unknown = columns.filter((column) => !known.has(column));
  if (unknown.length) return `unknown column ${unknown.map((c) => `"${c}"`).join(', ')}; expected ${format.importColumns.join(', ')}`;
  const repeated = columns.find((column, i) => columns.indexOf(column) !== i);
  if (repeated !== undefined) return `column "${repeated}" appears twice`;
  if (!format.requiredSets.some((set) => set.every((column) => columns.includes(column)))) {
    return `missing columns: expected ${format.requiredSets.map((set) => set.join(', ')).join(' or ')}`;
  }
  return undefined;
}
