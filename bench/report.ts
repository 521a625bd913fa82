import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results.json');

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Merges one benchmark's numbers into bench/results.json, with when and where they were taken. */
export function recordResults(name: string, result: Record<string, unknown>): void {
  mkdirSync(dirname(RESULTS), { recursive: true });
  const all = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>) : {};
  all[name] = { ...result, measuredAt: new Date().toISOString(), machine: `${cpus().length} cores, node ${process.version}` };
  writeFileSync(RESULTS, `${JSON.stringify(all, null, 2)}\n`);
}

export function printTable(name: string, result: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(result).map((k) => k.length));
  console.log(`\n${name}`);
  for (const [key, value] of Object.entries(result)) console.log(`  ${key.padEnd(width)}  ${String(value)}`);
}
