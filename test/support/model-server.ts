/**
 * Test support: a loopback HTTP server that serves model files and misbehaves on demand, a CONNECT proxy that counts
 * tunnels, and a catalog pointing at fixture bytes. Used by the tests of src/models.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { basename } from 'node:path';
import type { Catalog, CatalogFile } from '../../src/models/catalog.ts';

/** What the server does for one request; the default serves the file and honours Range. */
export interface Plan {
  /** Answer with this status and a short body instead of the file. */
  status?: number;
  /** Serve these bytes instead of the file (wrong content). */
  body?: Buffer;
  /** Honour `Range: bytes=N-` with 206 (default true). */
  ranges?: boolean;
  etag?: string;
  /** Send this many bytes without a Content-Length, then end cleanly (a truncated body). */
  endAfter?: number;
  /** Send this many bytes, then send nothing more (a stalled server, or one whose connection `dropConnections` ends). */
  stallAfter?: number;
}

export interface SeenRequest {
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
}

export interface ModelServer {
  /** Base URL to use as the mirror, e.g. http://127.0.0.1:1234/mirror */
  mirror: string;
  requests: SeenRequest[];
  /** Decides each request's behaviour; `n` counts requests from 1. */
  plan: (n: number, req: IncomingMessage) => Plan;
  /** Ends every open connection mid-response (a FIN, as when a server or middlebox goes away). */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startModelServer(files: Map<string, Buffer>): Promise<ModelServer> {
  const requests: SeenRequest[] = [];
  const state: ModelServer = {
    mirror: '',
    requests,
    plan: () => ({}),
    dropConnections: () => {},
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ path, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined });
    serve(req, res, files.get(basename(path)), state.plan(requests.length, req));
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  state.dropConnections = () => {
    for (const socket of sockets) socket.end();
  };
  await listen(server);
  state.mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror`;
  state.close = () => closeServer(server);
  return state;
}

function serve(req: IncomingMessage, res: ServerResponse, file: Buffer | undefined, plan: Plan): void {
  if (plan.status !== undefined) {
    res.writeHead(plan.status, { 'content-type': 'text/plain' }).end(`status ${plan.status}`);
    return;
  }
  const content = plan.body ?? file;
  if (!content) {
    res.writeHead(404).end('not found');
    return;
  }
  const etag = plan.etag ?? '"v1"';
  const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  let start = 0;
  let status = 200;
  const ifRange = req.headers['if-range'];
  if ((plan.ranges ?? true) && match && (ifRange === undefined || ifRange === etag)) {
    start = Number(match[1]);
    if (start >= content.length) {
      res.writeHead(416, { 'content-range': `bytes */${content.length}` }).end();
      return;
    }
    status = 206;
  }
  const rest = content.subarray(start);
  const headers: Record<string, string> = { etag, 'accept-ranges': (plan.ranges ?? true) ? 'bytes' : 'none' };
  if (status === 206) headers['content-range'] = `bytes ${start}-${content.length - 1}/${content.length}`;
  if (plan.endAfter !== undefined) {
    res.writeHead(status, headers).end(rest.subarray(0, plan.endAfter));
    return;
  }
  headers['content-length'] = String(rest.length);
  res.writeHead(status, headers);
  if (plan.stallAfter !== undefined) {
    res.write(rest.subarray(0, plan.stallAfter));
  } else {
    res.end(rest);
  }
}

/** A forward proxy that only tunnels (CONNECT), as undici's ProxyAgent uses it, recording each tunnel's target. */
export async function startConnectProxy(): Promise<{ url: string; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    tunnels.push(target);
    const [host, port] = target.split(':');
    // Tunnels only to this machine: a test never reaches out.
    if (host !== '127.0.0.1') {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await listen(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    close: async () => {
      for (const s of sockets) s.destroy();
      await closeServer(server);
    },
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await listen(server);
  const { port } = server.address() as AddressInfo;
  await closeServer(server);
  return port;
}

export const fixtureBytes = (length: number) => randomBytes(length);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export function fixtureFile(name: string, bytes: Buffer, digest: 'sha256' | 'md5' = 'sha256'): CatalogFile {
  return {
    file: name,
    url: `https://models.invalid/fixture/models/resolve/0123456789abcdef0123456789abcdef01234567/${name}`,
    size: bytes.length,
    sha256: digest === 'sha256' ? sha256(bytes) : null,
    ...(digest === 'md5' ? { md5: createHash('md5').update(bytes).digest('hex') } : {}),
    verified: digest === 'sha256',
    source: 'fixture',
  };
}

export function fixtureCatalog(models: Catalog['models']): Catalog {
  return { catalogVersion: 1, about: 'test fixture', sources: { fixture: 'random bytes generated by the test' }, models };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
