import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { describeIssue, type RuleIssue } from './issues.js';
import { parseRules, type Rule } from './schema.js';

/** The rules the gateway ships with; operators copy and edit it. */
export const DEFAULT_RULES_FILE = fileURLToPath(new URL('../../rules/default-rules.yaml', import.meta.url));

export type RulesLoad = { ok: true; rules: Rule[] } | { ok: false; errors: string[]; issues: RuleIssue[] };

export class RulesFileError extends Error {
  constructor(
    readonly path: string,
    readonly errors: readonly string[],
  ) {
    super(`rules file ${path} refused:\n  ${errors.join('\n  ')}`);
    this.name = 'RulesFileError';
  }
}

function lineOf(doc: Document, lines: LineCounter, path: readonly (string | number)[]): number | undefined {
  // A missing key has no node of its own: point at the nearest enclosing one.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function refused(issues: RuleIssue[]): RulesLoad {
  return { ok: false, issues, errors: issues.map(describeIssue) };
}

/** Parses and validates rules YAML; every problem is reported, each with its line. */
export function parseRulesYaml(text: string): RulesLoad {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    return refused(
      doc.errors.map((error) => ({
        path: [],
        message: `not valid YAML: ${(error.message.split('\n')[0] ?? error.code).replace(/:$/, '')}`,
      })),
    );
  }
  const result = parseRules(doc.toJS());
  if (result.ok) return result;
  return refused(
    result.issues.map((issue) => {
      const path = issue.rule ? ['rules', issue.rule.index, ...issue.path] : issue.path;
      const line = lineOf(doc, lines, path);
      return line === undefined ? issue : { ...issue, line };
    }),
  );
}

export async function loadRulesFile(path: string): Promise<RulesLoad> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return refused([{ path: [], message: `cannot read ${path}: ${(err as Error).message}` }]);
  }
  return parseRulesYaml(text);
}

export interface RulesReload {
  ok: boolean;
  /** Why an edit was refused, one line per problem, naming rule and field. */
  errors?: string[];
  /** Rules live after this reload: the new ones, or the previous ones kept. */
  ruleCount: number;
}

export interface RulesFileWatcherOptions {
  path: string;
  /** Receives each accepted rule set, e.g. `(rules) => engine.replaceRules(rules)`. */
  apply: (rules: Rule[]) => void;
  /** Editors write a file in several steps; wait this long after the last change. */
  debounceMs?: number;
  log?: Logger;
}

/**
 * Hot reload of the rules file. A bad edit is refused with its reasons and the
 * rules already live stay live: a typo at 3 a.m. must not switch fire alarms off.
 */
export class RulesFileWatcher {
  private readonly listeners = new Set<(reload: RulesReload) => void>();
  private watcher?: FSWatcher;
  private debounce?: NodeJS.Timeout;
  private lastText?: string;
  private liveCount = 0;
  private reloading: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RulesFileWatcherOptions) {}

  onReload(listener: (reload: RulesReload) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Loads and applies the file, then watches it. A bad file at start is thrown (RulesFileError). */
  async start(): Promise<void> {
    const load = await loadRulesFile(this.options.path);
    if (!load.ok) throw new RulesFileError(this.options.path, load.errors);
    this.options.apply(load.rules);
    this.liveCount = load.rules.length;
    this.lastText = await readFile(this.options.path, 'utf8').catch(() => undefined);
    // The directory is watched, not the file: editors save by writing a new
    // file and renaming it over the old one, which a file watch would lose.
    const name = basename(this.options.path);
    this.watcher = watch(dirname(this.options.path), { persistent: false }, (_type, changed) => {
      if (changed === null || changed === name) this.schedule();
    });
    this.watcher.on('error', (err) => this.options.log?.error({ err, path: this.options.path }, 'rules file watch failed'));
  }

  stop(): void {
    clearTimeout(this.debounce);
    this.debounce = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Re-reads the file now (the watcher calls it; so can a SIGHUP handler). Reloads run one at a time. */
  reload(): Promise<RulesReload | undefined> {
    const next = this.reloading.then(() => this.reloadNow());
    this.reloading = next.catch(() => undefined);
    return next;
  }

  private schedule(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.reload().catch((err: unknown) => this.options.log?.error({ err }, 'rules reload failed'));
    }, this.options.debounceMs ?? 200);
  }

  /** Undefined when the text did not change (fs.watch reports one save several times). */
  private async reloadNow(): Promise<RulesReload | undefined> {
    const { path, log } = this.options;
    const text = await readFile(path, 'utf8').catch((err: Error) => err);
    if (typeof text === 'string' && text === this.lastText) return undefined;
    const load = typeof text === 'string' ? parseRulesYaml(text) : refused([{ path: [], message: `cannot read ${path}: ${text.message}` }]);
    if (typeof text === 'string') this.lastText = text;

    const reload = this.settle(load);
    for (const listener of this.listeners) {
      try {
        listener(reload);
      } catch (err) {
        log?.error({ err }, 'rules reload listener failed');
      }
    }
    return reload;
  }

  /** Applies an accepted load; anything else leaves the live rules as they are. */
  private settle(load: RulesLoad): RulesReload {
    const { path, log } = this.options;
    if (!load.ok) {
      log?.warn({ path, errors: load.errors, ruleCount: this.liveCount }, 'rules edit refused; previous rules stay live');
      return { ok: false, errors: load.errors, ruleCount: this.liveCount };
    }
    try {
      this.options.apply(load.rules);
    } catch (err) {
      log?.error({ err, path }, 'rules could not be applied; previous rules stay live');
      return { ok: false, errors: [`applying the rules failed: ${(err as Error).message}`], ruleCount: this.liveCount };
    }
    this.liveCount = load.rules.length;
    log?.info({ path, ruleCount: this.liveCount }, 'rules reloaded');
    return { ok: true, ruleCount: this.liveCount };
  }
}
