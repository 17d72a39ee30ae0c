import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { FastifyInstance } from 'fastify';

const ROOT = new URL('../../../', import.meta.url).pathname;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
};

/** What the browser may do on these pages: talk to this origin only, over HTTP(S) and WebSocket. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface StaticFile {
  body: Buffer;
  contentType: string;
  etag: string;
  /** The voice page's own HTML; the examples keep their inline scripts, to be copied as they are. */
  policed: boolean;
}

/**
 * The files a browser needs, read once at start-up and served as they are (no build step): the voice page at
 * `/`, the client library under `/client/`, and in a repository checkout the examples under `/examples/` (images
 * and installs leave them out). Only these folders and the listed file types are served, and tests are not.
 */
export function staticFiles() {
  const files = new Map<string, StaticFile>();
  const add = (urlPath: string, path: string) => {
    const body = readFileSync(path);
    const contentType = CONTENT_TYPES[extname(path)];
    if (!contentType) return;
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    files.set(urlPath, { body, contentType, etag, policed: path.startsWith(join(ROOT, 'web')) && extname(path) === '.html' });
  };
  for (const folder of ['web', 'client', 'examples']) {
    if (folder === 'examples' && !existsSync(join(ROOT, folder))) continue;
    for (const path of listFiles(join(ROOT, folder))) {
      // Tests, type declarations and tool configs are for the repository, not for browsers; JSON is the schema only.
      const served = !path.includes('.test.') && !path.endsWith('.d.ts') && (extname(path) !== '.json' || path.endsWith('.schema.json'));
      if (served) add(`/${relative(ROOT, path)}`, path);
    }
  }
  add('/', join(ROOT, 'web/index.html'));

  return async (app: FastifyInstance): Promise<void> => {
    for (const [urlPath, file] of files) {
      app.get(urlPath, async (request, reply) => {
        // Revalidated on every load, so a restarted gateway never pairs a new page with an old library file.
        reply.header('cache-control', 'no-cache').header('etag', file.etag).header('x-content-type-options', 'nosniff');
        if (file.policed) reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
        if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
        return reply.type(file.contentType).send(file.body);
      });
    }
  };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}
