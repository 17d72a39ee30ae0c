/**
 * A real Prometheus (Debian's `prometheus` binary) on loopback for tests: scrapes one target every
 * `scrapeIntervalS`, evaluates dashboards/prometheus/rules.yml, stores exemplars, and answers PromQL over HTTP.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { stringify as stringifyYaml } from 'yaml';

const RULES_FILE = fileURLToPath(new URL('../../dashboards/prometheus/rules.yml', import.meta.url));
/** The job name rules.yml and the dashboards select. */
export const SCRAPE_JOB = 's2s-gateway';
const POLL_MS = 100;
/** Prometheus' stderr kept for error messages: the tail only. */
const STDERR_TAIL_CHARS = 16_384;

export interface PrometheusOptions {
  /** `host:port` serving `/metrics`. */
  scrapeTarget: string;
  scrapeIntervalS?: number;
  /** Bounds start-up; default 60 s. */
  signal?: AbortSignal;
}

export interface Sample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

export interface QueryResult {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  /** A vector or matrix's series; a scalar or string's `[time, value]`. */
  result: Sample[] | [number, string];
  warnings?: string[];
}

export interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

export interface RunningPrometheus {
  url: string;
  /** An instant query now; rejects with Prometheus' error type and message when the query fails. */
  query(expr: string, signal?: AbortSignal): Promise<QueryResult>;
  /** Exemplars of the series `expr` selects over the last `rangeS` seconds. */
  queryExemplars(expr: string, rangeS?: number, signal?: AbortSignal): Promise<ExemplarSeries[]>;
  /** Resolves once `scrapes` samples of `metricName` are stored (two make a rate), e.g. a recording rule's output. */
  waitForSamples(metricName: string, options?: { scrapes?: number; signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const intervalS = options.scrapeIntervalS ?? 1;
  const signal = options.signal ?? AbortSignal.timeout(60_000);
  const dir = await mkdtemp(join(tmpdir(), 's2s-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(
    configFile,
    stringifyYaml({
      global: { scrape_interval: `${intervalS}s`, scrape_timeout: `${intervalS}s`, evaluation_interval: `${intervalS}s` },
      rule_files: [RULES_FILE],
      scrape_configs: [{ job_name: SCRAPE_JOB, static_configs: [{ targets: [options.scrapeTarget] }] }],
    }),
  );
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL_CHARS);
  });
  let running = true;
  const exited = new Promise<void>((resolve) => {
    const stopped = () => {
      running = false;
      resolve();
    };
    child.once('exit', stopped);
    child.once('error', stopped);
  });
  const spawnFailed = once(child, 'error').then(([err]) => {
    throw new Error(`cannot run prometheus (Debian package "prometheus"): ${(err as Error).message}`);
  });

  const close = async () => {
    if (running) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await Promise.race([spawnFailed, waitUntilReady(url, signal, () => running, () => stderr)]);
  } catch (err) {
    await close();
    throw err;
  }

  const api = async <T>(path: string, params: Record<string, string>, requestSignal?: AbortSignal): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      body: new URLSearchParams(params),
      signal: requestSignal ?? AbortSignal.timeout(30_000),
    });
    const payload = (await response.json()) as { status: string; data: T; errorType?: string; error?: string; warnings?: string[] };
    if (payload.status !== 'success') throw new Error(`${payload.errorType ?? 'error'}: ${payload.error ?? ''}`);
    return payload.warnings === undefined ? payload.data : { ...payload.data, warnings: payload.warnings };
  };

  const query = (expr: string, requestSignal?: AbortSignal) => api<QueryResult>('/api/v1/query', { query: expr }, requestSignal);

  return {
    url,
    query,
    queryExemplars: (expr, rangeS = 300, requestSignal) => {
      const end = Date.now() / 1000;
      return api<ExemplarSeries[]>(
        '/api/v1/query_exemplars',
        { query: expr, start: String(end - rangeS), end: String(end) },
        requestSignal,
      );
    },
    waitForSamples: async (metricName, { scrapes = 2, signal: waitSignal = AbortSignal.timeout(60_000) } = {}) => {
      const expr = `max(count_over_time({__name__="${metricName}"}[10m])) >= ${scrapes}`;
      for (;;) {
        const { result } = await query(expr, waitSignal);
        if (result.length > 0) return;
        await sleep(POLL_MS, undefined, { signal: waitSignal });
      }
    },
    close,
  };
}

async function waitUntilReady(url: string, signal: AbortSignal, running: () => boolean, stderr: () => string) {
  for (;;) {
    if (!running()) throw new Error(`prometheus exited during start-up: ${stderr()}`);
    try {
      const response = await fetch(`${url}/-/ready`, { signal });
      if (response.ok) return;
    } catch (err) {
      if (signal.aborted) throw new Error(`prometheus not ready: ${stderr()}`, { cause: err });
    }
    await sleep(POLL_MS, undefined, { signal });
  }
}

/** Prometheus cannot report the port it bound for `:0`, so take one the kernel hands out and release it. */
async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
