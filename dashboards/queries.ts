/**
 * Every PromQL expression the operators' views depend on: each target of each Grafana panel, each template variable
 * query and each Prometheus rule, with Grafana's variables replaced by values that suit a short test run, so a
 * test can evaluate them all against a real Prometheus.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { STAGES } from '../src/core/errors.ts';

export type QueryKind = 'panel' | 'variable' | 'record' | 'alert';

export interface DashboardQuery {
  /** `<dashboard>/<panel title>/<refId>`, `<dashboard>/variable <name>` or `rules.yml/<group>/<rule>`. */
  source: string;
  kind: QueryKind;
  expr: string;
}

/**
 * Values for a Prometheus scraping every second for under a minute. `$__rate_interval` must hold at least two
 * scrapes (Grafana makes it 4x the scrape interval at least); `$__range` just needs to cover the run.
 */
const TEST_VARIABLES: Readonly<Record<string, string>> = {
  __rate_interval: '15s',
  __interval: '2s',
  __range: '5m',
  datasource: 'prometheus',
  job: 's2s-gateway',
};

const DASHBOARDS_DIR = new URL('./grafana/dashboards/', import.meta.url);
const RULES_FILE = new URL('./prometheus/rules.yml', import.meta.url);

interface Target {
  refId?: string;
  expr?: string;
}
interface Panel {
  title?: string;
  type?: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
}
interface Dashboard {
  panels?: Panel[];
  templating?: { list?: Variable[] };
}
interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
}

/** `$name`, `${name}`, `${name:format}` and the deprecated `[[name]]`. */
const VARIABLE = /\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g;

/**
 * Every query, with `stage` expanded to one query per stage (a repeated panel shows each stage on its own, and each
 * must show something) and the other variables replaced from `variables`. Throws on a variable it cannot fill.
 */
export function allQueries(variables: Readonly<Record<string, string>> = TEST_VARIABLES): DashboardQuery[] {
  const raw: DashboardQuery[] = [];
  for (const file of readdirSync(DASHBOARDS_DIR).filter((name) => name.endsWith('.json')).sort()) {
    const dashboard = JSON.parse(readFileSync(new URL(file, DASHBOARDS_DIR), 'utf8')) as Dashboard;
    const name = file.replace(/\.json$/, '');
    for (const variable of dashboard.templating?.list ?? []) {
      if (variable.type !== 'query') continue;
      const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
      raw.push({ source: `${name}/variable ${variable.name}`, kind: 'variable', expr: variableQueryAsPromQL(query) });
    }
    for (const panel of flattenPanels(dashboard.panels ?? [])) {
      for (const target of panel.targets ?? []) {
        if (target.expr === undefined) continue;
        raw.push({ source: `${name}/${panel.title ?? ''}/${target.refId ?? ''}`, kind: 'panel', expr: target.expr });
      }
    }
  }
  const rules = parseYaml(readFileSync(RULES_FILE, 'utf8')) as RuleFile;
  for (const group of rules.groups) {
    for (const rule of group.rules) {
      const kind = rule.alert === undefined ? 'record' : 'alert';
      raw.push({ source: `rules.yml/${group.name}/${rule.record ?? rule.alert ?? ''}`, kind, expr: rule.expr });
    }
  }
  return raw.flatMap((query) => substitute(query, variables));
}

/** Rows hold their panels inside when collapsed, beside them otherwise. */
function flattenPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...flattenPanels(panel.panels ?? [])]);
}

/**
 * Grafana's Prometheus variable functions are not PromQL: `label_values(m, l)` lists the values of `l` on the series
 * of `m`, which `group by (l) (m)` evaluates; `query_result(q)` evaluates `q`.
 */
function variableQueryAsPromQL(query: string): string {
  const labelValues = /^label_values\((.+),\s*(\w+)\)$/s.exec(query.trim());
  if (labelValues) return `group by (${labelValues[2]}) (${labelValues[1]})`;
  const queryResult = /^query_result\((.+)\)$/s.exec(query.trim());
  if (queryResult?.[1] !== undefined) return queryResult[1];
  throw new Error(`unsupported variable query: ${query}`);
}

function substitute(query: DashboardQuery, variables: Readonly<Record<string, string>>): DashboardQuery[] {
  const names = new Set([...query.expr.matchAll(VARIABLE)].map((m) => m[1] ?? m[2] ?? m[3]));
  const fill = (text: string, values: Readonly<Record<string, string>>) =>
    text.replace(VARIABLE, (whole, braced?: string, bare?: string, bracketed?: string) => {
      const name = braced ?? bare ?? bracketed ?? '';
      const value = values[name];
      if (value === undefined) throw new Error(`no test value for $${name} in ${query.source}`);
      return value;
    });
  if (!names.has('stage')) return [{ ...query, expr: fill(query.expr, variables) }];
  return STAGES.map((stage) => ({
    ...query,
    source: `${fill(query.source, { ...variables, stage })} [stage=${stage}]`,
    expr: fill(query.expr, { ...variables, stage }),
  }));
}
