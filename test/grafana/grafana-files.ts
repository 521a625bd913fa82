/**
 * Reads grafana/ (provisioning and dashboards) the way Grafana does, and expands Grafana's
 * InfluxQL macros and template variables so the dashboard queries can be run against a real
 * InfluxDB. Only what our dashboards use is modelled; anything else is an error, so a new
 * macro or variable type cannot slip through untested.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const GRAFANA_DIR = fileURLToPath(new URL('../../grafana/', import.meta.url));
export const DASHBOARD_DIR = join(GRAFANA_DIR, 'dashboards');

export interface DatasourceRef {
  type?: string;
  uid?: string;
}

export interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  user?: string;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, unknown>;
}

export interface Target {
  refId: string;
  datasource?: DatasourceRef;
  // InfluxQL
  rawQuery?: boolean;
  query?: string;
  resultFormat?: string;
  alias?: string;
  // Prometheus
  expr?: string;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: DatasourceRef;
  interval?: string;
  fieldConfig?: {
    defaults?: {
      unit?: string;
      thresholds?: { mode: string; steps: { color: string; value: number | null }[] };
      custom?: { thresholdsStyle?: { mode: string } };
    };
    overrides?: unknown[];
  };
  targets?: Target[];
  panels?: Panel[];
}

export interface Variable {
  type: string;
  name: string;
  datasource?: DatasourceRef;
  query?: string | { query: string };
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

export interface DashboardFile {
  file: string;
  text: string;
}

export function dashboardFiles(): DashboardFile[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, text: readFileSync(join(DASHBOARD_DIR, file), 'utf8') }));
}

export function loadDashboards(): { file: string; dashboard: Dashboard }[] {
  return dashboardFiles().map(({ file, text }) => ({ file, dashboard: JSON.parse(text) as Dashboard }));
}

export function provisionedDatasources(): ProvisionedDatasource[] {
  const dir = join(GRAFANA_DIR, 'provisioning', 'datasources');
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => ((parse(readFileSync(join(dir, f), 'utf8')) as { datasources?: ProvisionedDatasource[] }).datasources ?? []));
}

export function dashboardProviders(): { name: string; type: string; folder?: string; options: { path: string } }[] {
  const dir = join(GRAFANA_DIR, 'provisioning', 'dashboards');
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => ((parse(readFileSync(join(dir, f), 'utf8')) as { providers?: { name: string; type: string; folder?: string; options: { path: string } }[] }).providers ?? []));
}

/** Every panel, rows' nested panels included (a collapsed row keeps its panels inside it). */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** The datasource a target really queries: its own, else its panel's. */
export function targetDatasource(panel: Panel, target: Target): DatasourceRef | undefined {
  return target.datasource ?? panel.datasource;
}

export function variableQuery(variable: Variable): string {
  return typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
}

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/**
 * Grafana's interval for a range: range / max data points, rounded to a "nice" step
 * (rangeutil.roundInterval), never below the panel's min interval or the datasource's
 * time interval. Returned as an InfluxQL duration.
 */
export function grafanaInterval(range: TimeRange, minInterval = '10s', maxDataPoints = 1000): string {
  const raw = (range.toMs - range.fromMs) / maxDataPoints;
  const steps: [number, number][] = [
    [1_500, 1_000], [3_500, 2_000], [7_500, 5_000], [12_500, 10_000], [17_500, 15_000], [25_000, 20_000], [45_000, 30_000],
    [90_000, 60_000], [210_000, 120_000], [450_000, 300_000], [750_000, 600_000], [1_050_000, 900_000], [1_500_000, 1_200_000],
    [2_700_000, 1_800_000], [5_400_000, 3_600_000], [9_000_000, 7_200_000], [16_200_000, 10_800_000], [32_400_000, 21_600_000],
    [86_400_000, 43_200_000], [604_800_000, 86_400_000], [1_814_400_000, 604_800_000],
  ];
  const rounded = steps.find(([upTo]) => raw <= upTo)?.[1] ?? 2_592_000_000;
  return influxDuration(Math.max(rounded, durationMs(minInterval)));
}

export function durationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}

function influxDuration(ms: number): string {
  for (const [unit, size] of [['w', 604_800_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * Expands what Grafana's InfluxDB datasource expands in a raw InfluxQL query: `$timeFilter`
 * (as Grafana renders it for an absolute range: `time >= …ms and time <= …ms`), `$__interval`,
 * `$interval`, `$__interval_ms`, and `$var` / `${var}` template variables. An unknown `$name`
 * throws: Grafana would send it to InfluxDB verbatim, which is always a bug in a dashboard.
 */
export function expandInfluxQL(query: string, values: Record<string, string>, range: TimeRange, interval: string): string {
  const macros: Record<string, string> = {
    timeFilter: `time >= ${range.fromMs}ms and time <= ${range.toMs}ms`,
    __interval: interval,
    interval,
    __interval_ms: String(durationMs(interval)),
  };
  return query.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const value = macros[name] ?? values[name];
    if (value === undefined) throw new Error(`unknown Grafana variable ${whole} in: ${query}`);
    return value;
  });
}

/**
 * The value each template variable takes in the test: a multi-value / include-all variable
 * takes its custom all value (what "All" sends; Grafana does not escape it), a text box
 * takes the value given in `text`.
 */
export function variableValues(dashboard: Dashboard, text: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const v of dashboard.templating.list) {
    if (v.type === 'textbox') {
      const value = text[v.name];
      if (value === undefined) throw new Error(`${dashboard.uid}: no test value for text variable $${v.name}`);
      values[v.name] = value;
    } else if (v.includeAll && v.allValue !== undefined) {
      values[v.name] = v.allValue;
    } else {
      throw new Error(`${dashboard.uid}: variable $${v.name} (${v.type}) has no custom all value to test with`);
    }
  }
  return values;
}

/** Metric names in a PromQL expression (ours all start with `gateway_`). */
export function promMetricNames(expr: string): string[] {
  return [...new Set(expr.match(/\bgateway_[a-z0-9_]+\b/g) ?? [])];
}

/** Label names a PromQL expression relies on: `by (…)`, `without (…)` and selector matchers. */
export function promLabelNames(expr: string): string[] {
  const labels = new Set<string>();
  for (const m of expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) {
    for (const l of m[1]!.split(',')) if (l.trim()) labels.add(l.trim());
  }
  for (const m of expr.matchAll(/\{([^}]*)\}/g)) {
    for (const matcher of m[1]!.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)) labels.add(matcher[1]!);
  }
  return [...labels];
}
