/**
 * RFC 4180 text: records end in CRLF (a bare LF or CR is read too, as
 * spreadsheets write them), fields with a comma, quote or line break are
 * quoted and a quote inside is doubled. Each record keeps the line it starts
 * on, so import errors point at the line a person sees in an editor.
 */

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function formatCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(quoteField).join(',') + '\r\n').join('');
}

function quoteField(field: string): string {
  return NEEDS_QUOTES.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/** Blank lines are skipped; a byte-order mark (Excel's UTF-8 export) is ignored. */
export function parseCsv(text: string): CsvRecord[] {
  const reader = new CsvReader(text);
  const records: CsvRecord[] = [];
  while (!reader.done()) {
    const record = reader.record();
    if (!(record.fields.length === 1 && record.fields[0] === '')) records.push(record);
  }
  return records;
}

class CsvReader {
  private at: number;
  private line = 1;

  constructor(private readonly text: string) {
    this.at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  done(): boolean {
    return this.at >= this.text.length;
  }

  record(): CsvRecord {
    const line = this.line;
    const fields: string[] = [];
    for (;;) {
      fields.push(this.text[this.at] === '"' ? this.quotedField(line) : this.plainField());
      if (this.text[this.at] !== ',') break;
      this.at++;
    }
    this.lineBreak();
    return { line, fields };
  }

  private plainField(): string {
    const start = this.at;
    for (let ch = this.text[this.at]; ch !== undefined && ch !== ',' && ch !== '\r' && ch !== '\n'; ch = this.text[++this.at]) {
      // RFC 4180 §2.5: a field that holds a quote must be quoted as a whole.
      if (ch === '"') throw new CsvSyntaxError(this.line, 'quote inside an unquoted field: quote the whole field and double the quote');
    }
    return this.text.slice(start, this.at);
  }

  private quotedField(startLine: number): string {
    let field = '';
    this.at++;
    for (;;) {
      const ch = this.text[this.at];
      if (ch === undefined) throw new CsvSyntaxError(startLine, 'quoted field is not closed');
      if (ch === '"') {
        // RFC 4180 §2.7: a quote inside a quoted field is written twice.
        if (this.text[this.at + 1] !== '"') break;
        field += '"';
        this.at += 2;
        continue;
      }
      if (ch === '\n' || (ch === '\r' && this.text[this.at + 1] !== '\n')) this.line++;
      field += ch;
      this.at++;
    }
    this.at++;
    const next = this.text[this.at];
    if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
      throw new CsvSyntaxError(this.line, 'text after a closing quote: a quote inside a quoted field is written ""');
    }
    return field;
  }

  private lineBreak(): void {
    if (this.text[this.at] === '\r') this.at++;
    if (this.text[this.at] === '\n') this.at++;
    this.line++;
  }
}
