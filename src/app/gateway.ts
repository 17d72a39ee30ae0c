import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { buildApp } from './app.ts';
import type { ModelFiles } from '../contracts/engine.ts';
import { Runtime } from './runtime.ts';
import { drainGateway } from './drain.ts';

export interface Gateway {
  /** Base URL, e.g. http://127.0.0.1:8080 (https:// with TLS configured) */
  url: string;
  app: FastifyInstance;
  runtime: Runtime;
  /** Resolves when every dependency has finished loading (or failed to). */
  loaded: Promise<void>;
  /** Stops at once: running turns are interrupted (their ends still sent), then every connection is closed. */
  close(): Promise<void>;
  /** Stops gently within `server.shutdownGraceMs` (see drain.ts), then closes. */
  drain(): Promise<void>;
}

/**
 * Listens first, then loads models in the background, so `/health` answers at once and `/ready` tells the truth
 * while a large model loads. Closing waits for sessions to end, up to the configured grace.
 */
export async function startGateway(config: Config, log: Logger, files: ModelFiles): Promise<Gateway> {
  const https = readTls(config.server);
  const runtime = new Runtime(config, log, files);
  const app = await buildApp(runtime, https);
  let address: string;
  try {
    address = await app.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    await runtime.close();
    throw err;
  }
  const loaded = runtime.start();
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await app.close();
      await runtime.close();
    })();
    return closing;
  };
  const drain = () => drainGateway(app, runtime, config.server.shutdownGraceMs).then(close);
  return { url: address, app, runtime, loaded, close, drain };
}

/** The configured certificate and key, read before anything starts so a wrong path stops start-up plainly. */
function readTls({ tlsCert, tlsKey }: Config['server']): { key: Buffer; cert: Buffer } | undefined {
  if (tlsCert === undefined || tlsKey === undefined) return undefined;
  const read = (path: string, key: string, variable: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`cannot read ${key} (${variable}) at ${path}: ${(err as Error).message}`, { cause: err });
    }
  };
  return { cert: read(tlsCert, 'server.tlsCert', 'S2S_TLS_CERT'), key: read(tlsKey, 'server.tlsKey', 'S2S_TLS_KEY') };
}
