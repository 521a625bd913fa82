import type { ClaimCode } from './claim-codes.js';

const COLUMNS = ['code', 'site', 'kind', 'batch', 'created_at', 'used_at', 'used_by', 'device_id'] as const;

function cell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  // A spreadsheet must never read a cell as a formula.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

/** Claim codes as CSV (RFC 4180, CRLF), for label printers and spreadsheets. */
export function claimCodesCsv(codes: readonly ClaimCode[]): string {
  const rows = codes.map((c) => [c.code, c.site, c.kind, c.batchId, iso(c.createdAt), iso(c.usedAt), c.usedBy, c.deviceId].map(cell).join(','));
  return [COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
