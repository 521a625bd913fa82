/** One stored outbox row: the lines of one or more appends, newline-joined. */
export interface OutboxRow {
  lines: string;
  lineCount: number;
  messages: number;
}

/**
 * Appends as outbox rows of at most `maxLines` lines each, so one row never
 * becomes one huge write; an append is never split across rows. Appends with
 * no lines make no row (their messages are not counted in any).
 */
export function toOutboxRows(items: Iterable<{ readonly lines: readonly string[]; readonly messages: number }>, maxLines: number): OutboxRow[] {
  const rows: OutboxRow[] = [];
  let lines: string[] = [];
  let messages = 0;
  for (const item of items) {
    if (item.lines.length === 0) continue;
    if (lines.length > 0 && lines.length + item.lines.length > maxLines) {
      rows.push({ lines: lines.join('\n'), lineCount: lines.length, messages });
      lines = [];
      messages = 0;
    }
    for (const line of item.lines) lines.push(line);
    messages += item.messages;
  }
  if (lines.length > 0) rows.push({ lines: lines.join('\n'), lineCount: lines.length, messages });
  return rows;
}
