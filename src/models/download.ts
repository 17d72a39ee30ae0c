import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import pRetry, { AbortError as FinalAttempt } from 'p-retry';
import { EnvHttpProxyAgent, interceptors, request, type Dispatcher } from 'undici';
import { GatewayError } from '../core/errors.ts';
import type { CatalogFile } from './catalog.ts';
import { checkFile } from './verify.ts';

/** pino's `info(fields, msg)` shape, so the server's logger fits as is. */
export interface ModelLog {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
}

export type ProgressEvent =
  | { type: 'start'; file: string; totalBytes: number; resumedBytes: number }
  | { type: 'bytes'; file: string; receivedBytes: number; totalBytes: number }
  | { type: 'done'; file: string };

export type ProgressListener = (event: ProgressEvent) => void;

export interface DownloadSettings {
  /** TCP (and TLS) connect, per attempt. */
  connectTimeoutMs: number;
  /** No response headers, or no body bytes, for this long: the attempt is abandoned and retried. */
  stallTimeoutMs: number;
  /** Further attempts after the first, on transient failures only. */
  retries: number;
  /** Backoff: the first retry waits about this long (randomised x1-2), doubling up to maxRetryDelayMs. */
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
}

const DEFAULT_DOWNLOAD_SETTINGS: DownloadSettings = {
  connectTimeoutMs: 30_000,
  stallTimeoutMs: 60_000,
  retries: 5,
  minRetryDelayMs: 1_000,
  maxRetryDelayMs: 30_000,
};

export type DownloadFailure = 'unreachable' | 'http_status' | 'size_mismatch' | 'checksum_mismatch' | 'transfer';

/** A download that did not produce a verified file. `url` is where it was fetched from. */
export class DownloadError extends GatewayError {
  override name = 'DownloadError';
  readonly reason: DownloadFailure;
  readonly url: string;

  constructor(reason: DownloadFailure, url: string, message: string, options?: { cause?: unknown }) {
    super('model_not_ready', message, options);
    this.reason = reason;
    this.url = url;
  }
}

export interface DownloadRequest {
  /** Where to fetch from (upstream or mirror). */
  url: string;
  /** The final path; nothing appears there unless size and digest match. */
  dest: string;
  file: CatalogFile;
  signal: AbortSignal;
  settings?: Partial<DownloadSettings>;
  /** Defaults to an EnvHttpProxyAgent (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) built from the settings and closed after. */
  dispatcher?: Dispatcher;
  log?: ModelLog;
  onProgress?: ProgressListener;
}

/** Failures worth another attempt: connection drops, stalls, truncated bodies, 5xx, 408, 429. */
class TransientFailure extends Error {
  override name = 'TransientFailure';
}

// Errors that mean "no network path to the server": retrying will not help, so the caller can say so at once.
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

function createDownloadDispatcher(settings: Pick<DownloadSettings, 'connectTimeoutMs' | 'stallTimeoutMs'>): Dispatcher {
  return new EnvHttpProxyAgent({
    connect: { timeout: settings.connectTimeoutMs },
    headersTimeout: settings.stallTimeoutMs,
    bodyTimeout: settings.stallTimeoutMs,
  }).compose(interceptors.redirect({ maxRedirections: 5 }));
}

export const partialPath = (dest: string) => `${dest}.partial`;

/**
 * Downloads one catalog file to `dest`: into `<dest>.partial` beside it, resumed with a Range request when a partial
 * exists, fsynced, checked for size and digest, then renamed. A failed transfer keeps the partial (the next call
 * resumes from it); a wrong size or digest deletes it.
 */
export async function downloadFile(req: DownloadRequest): Promise<void> {
  const settings = { ...DEFAULT_DOWNLOAD_SETTINGS, ...req.settings };
  const ownDispatcher = req.dispatcher === undefined;
  const dispatcher = req.dispatcher ?? createDownloadDispatcher(settings);
  const partial = partialPath(req.dest);
  await mkdir(dirname(req.dest), { recursive: true });
  try {
    // A partial left by an earlier run may belong to other bytes (an old revision, a server that changed): if the
    // result fails verification, that run's bytes are dropped and the file fetched once more from scratch.
    let mayRestart = (await sizeOf(partial)) > 0;
    for (;;) {
      await transferWithRetries(req, settings, dispatcher, partial);
      const check = await checkFile(partial, req.file, req.signal);
      if (check.status === 'ok') break;
      await rm(partial, { force: true });
      if (mayRestart) {
        mayRestart = false;
        req.log?.warn({ file: req.file.file }, 'resumed download failed verification; downloading again from the start');
        continue;
      }
      if (check.status === 'hash_mismatch') {
        throw new DownloadError(
          'checksum_mismatch',
          req.url,
          `${req.file.file} from ${req.url} failed verification: ${check.algorithm} expected ${check.expected}, got ${check.actual}; the download was deleted`,
        );
      }
      const detail = check.status === 'size_mismatch' ? `expected ${check.expected} bytes, got ${check.actual}` : 'the file vanished';
      throw new DownloadError('size_mismatch', req.url, `${req.file.file} from ${req.url}: ${detail}; the download was deleted`);
    }
    await rename(partial, req.dest);
    await syncDirectory(dirname(req.dest));
    req.onProgress?.({ type: 'done', file: req.file.file });
  } finally {
    if (ownDispatcher) await dispatcher.close();
  }
}

async function transferWithRetries(req: DownloadRequest, settings: DownloadSettings, dispatcher: Dispatcher, partial: string): Promise<void> {
  // The server's validator for the bytes already in the partial (ETag or Last-Modified), sent as If-Range.
  const state: { validator: string | undefined } = { validator: undefined };
  try {
    await pRetry(() => transferOnce(req, settings, dispatcher, partial, state), {
      retries: settings.retries,
      minTimeout: settings.minRetryDelayMs,
      maxTimeout: settings.maxRetryDelayMs,
      factor: 2,
      randomize: true,
      signal: req.signal,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft > 0) req.log?.warn({ file: req.file.file, attempt: attemptNumber, retriesLeft, error: error.message }, 'download attempt failed; retrying');
      },
    });
  } catch (err) {
    if (err instanceof TransientFailure) {
      throw new DownloadError('transfer', req.url, `${req.file.file} from ${req.url}: ${err.message} (gave up after ${settings.retries + 1} attempts; the partial file is kept and the next run resumes it)`, { cause: err });
    }
    throw err;
  }
}

async function transferOnce(
  req: DownloadRequest,
  settings: DownloadSettings,
  dispatcher: Dispatcher,
  partial: string,
  state: { validator: string | undefined },
): Promise<void> {
  const { file, url, signal } = req;
  let offset = await sizeOf(partial);
  if (file.size !== null && offset > file.size) {
    await rm(partial, { force: true });
    offset = 0;
  }
  if (offset === file.size) return;

  const headers: Record<string, string> = {};
  if (offset > 0) {
    headers.range = `bytes=${offset}-`;
    if (state.validator) headers['if-range'] = state.validator;
  }
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, { dispatcher, signal, headers, headersTimeout: settings.stallTimeoutMs, bodyTimeout: settings.stallTimeoutMs });
  } catch (err) {
    throw classifyNetworkError(err, req);
  }

  const { statusCode, body } = response;
  // If-Range takes only a strong validator: a weak ETag would make every resume a full download.
  const etag = header(response, 'etag');
  const validator = etag && !etag.startsWith('W/') ? etag : header(response, 'last-modified');
  let start = 0;
  if (statusCode === 206 && offset > 0) {
    const range = parseContentRange(header(response, 'content-range'));
    const sameBytes = state.validator === undefined || validator === undefined || validator === state.validator;
    if (!range || range.start !== offset || (range.total !== undefined && file.size !== null && range.total !== file.size) || !sameBytes) {
      await body.dump();
      await rm(partial, { force: true });
      throw new TransientFailure(`server answered a different range (${header(response, 'content-range') ?? 'none'}) than bytes=${offset}-; starting again`);
    }
    start = offset;
  } else if (statusCode === 416 && offset > 0) {
    await body.dump();
    await rm(partial, { force: true });
    throw new TransientFailure(`server refused the range bytes=${offset}-; starting again`);
  } else if (statusCode !== 200) {
    await body.dump();
    const message = `${file.file}: ${url} answered HTTP ${statusCode}`;
    if (statusCode >= 500 || statusCode === 408 || statusCode === 429) throw new TransientFailure(message);
    throw new FinalAttempt(new DownloadError('http_status', url, message));
  } else if (offset > 0) {
    // 200 to a Range request: the server ignores ranges, or If-Range found the file changed. Either way, start over.
    req.log?.info({ file: file.file, offset }, 'server sent the whole file; restarting the download');
  }

  const declared = Number(header(response, 'content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && file.size !== null && start + declared !== file.size) {
    await body.dump();
    await rm(partial, { force: true });
    throw new FinalAttempt(new DownloadError('size_mismatch', url, `${file.file}: ${url} sends ${start + declared} bytes, the catalog expects ${file.size}`));
  }
  // A file the catalog gives no size (SHA-256 only) is as long as the server says; one that says nothing is refused
  // rather than read without a bound.
  const size = file.size ?? (Number.isFinite(declared) ? start + declared : undefined);
  if (size === undefined) {
    await body.dump();
    throw new FinalAttempt(new DownloadError('size_mismatch', url, `${file.file}: ${url} sends no Content-Length and the catalog gives no size`));
  }
  state.validator = validator;

  let received = start;
  req.onProgress?.({ type: 'start', file: file.file, totalBytes: size, resumedBytes: start });
  // Chunk by chunk, each write awaited before the next read: whatever arrived before a failure is on disk for the
  // next attempt to resume from (a piped write stream would drop its buffered chunks when the body errors).
  const handle = await open(partial, start > 0 ? 'a' : 'w');
  let failure: unknown;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      // Past the expected size the body is not the file we want; stop before writing more of it.
      if (received + chunk.length > size) {
        throw new FinalAttempt(new DownloadError('size_mismatch', url, `${file.file}: ${url} sent more than the expected ${size} bytes`));
      }
      await handle.write(chunk);
      received += chunk.length;
      req.onProgress?.({ type: 'bytes', file: file.file, receivedBytes: received, totalBytes: size });
    }
    await handle.sync();
  } catch (err) {
    failure = err;
    body.destroy();
  } finally {
    await handle.close();
  }
  if (failure instanceof FinalAttempt) {
    await rm(partial, { force: true });
    throw failure;
  }
  if (failure !== undefined) throw classifyNetworkError(failure, req);
  if (received < size) throw new TransientFailure(`${file.file}: connection closed after ${received} of ${size} bytes`);
}

function classifyNetworkError(err: unknown, req: DownloadRequest): Error {
  if (req.signal.aborted) return new FinalAttempt(req.signal.reason as Error);
  const code = errorCode(err);
  const stalled = code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT';
  const detail = stalled ? `no data for ${stallSeconds(req)} s (stall timeout, ${code})` : `${(err as Error).message}${code && !(err as Error).message.includes(code) ? ` (${code})` : ''}`;
  if (code && UNREACHABLE_CODES.has(code)) {
    return new FinalAttempt(new DownloadError('unreachable', req.url, `${req.file.file}: cannot reach ${new URL(req.url).host}: ${detail}`, { cause: err }));
  }
  return new TransientFailure(`${req.file.file}: ${detail}`);
}

function stallSeconds(req: DownloadRequest): number {
  return (req.settings?.stallTimeoutMs ?? DEFAULT_DOWNLOAD_SETTINGS.stallTimeoutMs) / 1000;
}

/** The first `code` along the cause chain: undici wraps socket errors. */
function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
    // AggregateError from happy-eyeballs connects carries the codes inside.
    if (e instanceof AggregateError) {
      const inner = e.errors.map(errorCode).find((c) => c !== undefined);
      if (inner) return inner;
    }
  }
  return undefined;
}

function header(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseContentRange(value: string | undefined): { start: number; total: number | undefined } | undefined {
  const match = value?.match(/^bytes (\d+)-(\d+)\/(\d+|\*)$/);
  if (!match) return undefined;
  return { start: Number(match[1]), total: match[3] === '*' ? undefined : Number(match[3]) };
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** Makes the rename durable: without it a crash can leave the directory entry pointing nowhere. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
