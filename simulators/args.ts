import { parseArgs as parseNodeArgs } from 'node:util';

/** Command-line flags of the simulator tools: `--name value`, numbers checked, `--help` prints usage. */

export interface ArgSpec {
  kind: 'string' | 'number' | 'boolean';
  help: string;
}

export type ArgValues = Record<string, string | number | boolean | undefined>;

export function parseArgs(argv: readonly string[], specs: Record<string, ArgSpec>, usage: string): { values: ArgValues } {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const [name, spec] of Object.entries(specs)) options[name] = { type: spec.kind === 'boolean' ? 'boolean' : 'string' };
  let raw: Record<string, string | boolean | undefined>;
  try {
    raw = parseNodeArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${helpText(specs, usage)}`);
  }
  if (raw.help) {
    process.stdout.write(`${helpText(specs, usage)}\n`);
    process.exit(0);
  }
  const values: ArgValues = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = raw[name];
    if (value === undefined) continue;
    if (spec.kind === 'number') {
      const number = Number(value);
      if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(number)) throw new Error(`--${name} expects a number, got ${JSON.stringify(value)}`);
      values[name] = number;
    } else values[name] = value;
  }
  return { values };
}

function helpText(specs: Record<string, ArgSpec>, usage: string): string {
  const width = Math.max(...Object.keys(specs).map((name) => name.length)) + 4;
  return [`usage: ${usage}`, ...Object.entries(specs).map(([name, spec]) => `  --${name.padEnd(width)}${spec.help}`)].join('\n');
}

/** The simulators only talk to a gateway on this machine (DESIGN: loopback only). */
export function requireLoopback(url: string, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${what}: not a URL: ${JSON.stringify(url)}`);
  }
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(parsed.hostname)) {
    throw new Error(`${what}: the simulators talk to loopback addresses only, not ${parsed.hostname}`);
  }
  return parsed;
}
