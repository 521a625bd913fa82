import { watch, type FSWatcher } from 'node:fs';
import { readSiteTexts, SiteError, type SiteTexts } from './load-site.js';
import { parseSiteTexts } from './parse-site.js';
import type { Site } from './site.js';
import { describeSiteIssue, SITE_FILES, type SiteIssue } from './site-issues.js';

export type SiteChange =
  | { kind: 'reloaded'; site: Site; previous: Site }
  /** The new files were bad; dispatch keeps running on `kept`. */
  | { kind: 'rejected'; issues: readonly SiteIssue[]; kept: Site };

export type SiteChangeListener = (change: SiteChange) => void;

/** The part of a pino logger the watcher uses. */
export interface SiteLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface SiteWatcherOptions {
  /**
   * Editors and QGIS write a file in several steps (truncate, write, rename),
   * each an fs.watch event; waiting for quiet avoids validating half a file.
   */
  debounceMs?: number;
  log?: SiteLog;
}

const silent: SiteLog = { info() {}, warn() {}, error() {} };

/**
 * Keeps the current site of a directory: reloads when the operator edits the
 * files, swaps in the new site only if it validates, and otherwise keeps the
 * previous one and reports why.
 */
export class SiteWatcher {
  private current: Site | undefined;
  private lastTexts: SiteTexts | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<SiteChangeListener>();
  /** Reloads run one after another so an older read never overwrites a newer one. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly debounceMs: number;
  private readonly log: SiteLog;

  constructor(
    readonly dir: string,
    options: SiteWatcherOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 250;
    this.log = options.log ?? silent;
  }

  /** Loads the site (throwing `SiteError` if it is bad: there is nothing to fall back on yet) and starts watching. */
  async start(): Promise<Site> {
    const texts = await readSiteTexts(this.dir);
    const result = parseSiteTexts(texts);
    if (!result.ok) throw new SiteError(this.dir, result.issues);
    this.lastTexts = texts;
    this.current = result.site;
    this.watcher = watch(this.dir, { persistent: false }, (_event, filename) => {
      // Some platforms give no filename; reloading then costs one validation.
      if (filename === null || (SITE_FILES as readonly string[]).includes(filename)) this.scheduleReload();
    });
    this.watcher.on('error', (err) => this.log.error({ err, dir: this.dir }, 'site directory watch failed'));
    return result.site;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    await this.queue;
  }

  get site(): Site {
    if (!this.current) throw new Error('SiteWatcher.site read before start()');
    return this.current;
  }

  /** Returns a function that removes the listener. */
  onChange(listener: SiteChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads the files now; resolves to the change, or `undefined` when nothing changed. */
  reload(): Promise<SiteChange | undefined> {
    const next = this.queue.then(() => this.reloadNow());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private scheduleReload(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reload().catch((err: unknown) => this.log.error({ err, dir: this.dir }, 'site reload failed; keeping the current site'));
    }, this.debounceMs);
  }

  private async reloadNow(): Promise<SiteChange | undefined> {
    const kept = this.site;
    const texts = await readSiteTexts(this.dir);
    if (this.lastTexts && sameTexts(texts, this.lastTexts)) return undefined;
    this.lastTexts = texts;
    const result = parseSiteTexts(texts);
    let change: SiteChange;
    if (result.ok) {
      this.current = result.site;
      change = { kind: 'reloaded', site: result.site, previous: kept };
      this.log.info({ dir: this.dir, roads: result.site.roads.length, zones: result.site.zones.length, places: result.site.places.length }, 'site reloaded');
    } else {
      change = { kind: 'rejected', issues: result.issues, kept };
      this.log.warn({ dir: this.dir, issues: result.issues.map(describeSiteIssue) }, 'site files rejected; keeping the previous site');
    }
    this.notify(change);
    return change;
  }

  private notify(change: SiteChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        // One broken listener must not stop the others from seeing the new site.
        this.log.error({ err, dir: this.dir }, 'site change listener failed');
      }
    }
  }
}

function sameTexts(a: SiteTexts, b: SiteTexts): boolean {
  return a.roads === b.roads && a.zones === b.zones && a.places === b.places;
}
