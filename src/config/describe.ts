import { envBindings, loadConfig } from './load.ts';
import type { Config } from './schema.ts';

/** Keys whose values are credentials: shown as `***` (an empty list or string stays visibly empty). */
const SECRET_KEY = /(apiKeys?|password|secret|token)$/i;
const MASK = '***';

/** A connection URL with its password replaced, so `postgres://app:pw@db/x` still shows which database. */
function maskUrlPassword(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]*:[^/]*@/i.test(value)) return value;
  try {
    const url = new URL(value);
    if (url.password === '') return value;
    url.password = MASK;
    return url.toString();
  } catch {
    return value;
  }
}

function mask(key: string, value: unknown): unknown {
  if (SECRET_KEY.test(key)) {
    if (Array.isArray(value)) return value.map(() => MASK);
    return typeof value === 'string' && value.length > 0 ? MASK : value;
  }
  if (typeof value === 'string') return maskUrlPassword(value);
  if (Array.isArray(value)) return value.map((item) => mask('', item));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(k, v)]));
  }
  return value;
}

/** The effective configuration as `--print-config` shows it: every value the gateway would run with, credentials masked. */
export function printableConfig(config: Config): Record<string, unknown> {
  return mask('', config) as Record<string, unknown>;
}

const render = (value: unknown): string => (value === undefined ? '(unset)' : typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The settings section of `--help`: every S2S_* variable, the key it sets and its default, derived from the schema
 * (the same bindings the loader uses), so a new setting appears here without anyone remembering to add it.
 */
export function settingsHelp(): string {
  const defaults = loadConfig({ env: {} }) as unknown as Record<string, Record<string, unknown> | unknown>;
  const rows = [...envBindings()].map(([name, binding]) => {
    const [section, leaf] = binding.path;
    const sectionValue = defaults[section];
    const value = leaf === undefined ? sectionValue : (sectionValue as Record<string, unknown> | undefined)?.[leaf];
    const which = binding.engines ? ` [${binding.engines.join(', ')}]` : '';
    const shown = SECRET_KEY.test(leaf ?? section) ? mask(leaf ?? section, value) : value;
    return [name, `${binding.path.join('.')}${which}`, render(shown)];
  });
  const width = (col: number) => Math.max(...rows.map((row) => row[col]?.length ?? 0));
  const [w0, w1] = [width(0), width(1)];
  const lines = rows.map(([name, key, value]) => `  ${name?.padEnd(w0)}  ${key?.padEnd(w1)}  ${value}`);
  return [
    '',
    'Settings (environment variable, config key [engines that have it], default); variables override the config file:',
    ...lines,
    '',
    'Telemetry is configured with the standard OTEL_* variables (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME...).',
  ].join('\n');
}
