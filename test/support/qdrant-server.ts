/**
 * A loopback stand-in for the part of Qdrant's REST API the knowledge store uses (collections, payload indexes,
 * upsert, delete, scroll, count and query of points with `must`/`must_not` match filters). It stands in only
 * because no Qdrant binary can be had on the build machines: every request is checked against Qdrant's published
 * OpenAPI document (test/fixtures/qdrant/openapi.json, v1.18) and refused with HTTP 400 like Qdrant would, and every
 * response is checked against the same document. A request the stand-in does not implement fails the test loudly.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeServerNow, readBody, sendJson } from './http.ts';
import { OpenApiValidator } from './openapi-validator.ts';

const OPENAPI = new URL('../fixtures/qdrant/openapi.json', import.meta.url).pathname;

type Payload = Record<string, unknown>;
interface Point {
  id: string | number;
  vector: number[];
  payload: Payload;
}
interface Collection {
  size: number;
  distance: string;
  points: Map<string, Point>;
  indexes: Record<string, string>;
}
interface Condition {
  key?: string;
  match?: { value?: unknown };
}
interface Filter {
  must?: Condition[] | Condition;
  must_not?: Condition[] | Condition;
  should?: unknown;
  min_should?: unknown;
}

export interface QdrantServer {
  url: string;
  /** Every request as `METHOD /path`, in order. */
  requests: string[];
  /** Requests refused for not matching the OpenAPI document, and responses that did not; a test expects none. */
  violations: string[];
  /** Delay every answer by this long (a slow store). */
  setDelayMs(ms: number): void;
  close(): Promise<void>;
}

class NotImplemented extends Error {}

const asList = (c: Condition[] | Condition | undefined): Condition[] => (c === undefined ? [] : Array.isArray(c) ? c : [c]);

function matches(point: Point, filter: Filter | undefined | null): boolean {
  if (!filter) return true;
  if (filter.should !== undefined || filter.min_should !== undefined) throw new NotImplemented('filter.should');
  const test = (c: Condition) => {
    if (c.key === undefined || c.match === undefined || !('value' in c.match)) throw new NotImplemented(`condition ${JSON.stringify(c)}`);
    return point.payload[c.key] === c.match.value;
  };
  return asList(filter.must).every(test) && !asList(filter.must_not).some(test);
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export async function startQdrantServer(): Promise<QdrantServer> {
  const validator = new OpenApiValidator(OPENAPI);
  const collections = new Map<string, Collection>();
  const requests: string[] = [];
  const violations: string[] = [];
  let delayMs = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      violations.push(`stand-in failure: ${(err as Error).message}`);
      res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = req.method ?? '';
    requests.push(`${method} ${url.pathname}`);
    const text = await readBody(req);
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return reply(res, method, '', 400, { status: { error: 'Json deserialize error' }, time: 0 });
      }
    }
    const { template, params, errors } = validator.checkRequest(method, url, body);
    if (errors.length > 0) {
      violations.push(`${method} ${url.pathname}: ${errors.join('; ')}`);
      return reply(res, method, template, 400, { status: { error: `Validation error: ${errors.join('; ')}` }, time: 0 });
    }
    if (delayMs > 0) await sleep(delayMs);
    try {
      const result = route(method, template, params.collection_name ?? '', body as Record<string, unknown>);
      if (result === undefined) {
        return reply(res, method, template, 404, { status: { error: `Not found: Collection \`${params.collection_name}\` doesn't exist!` }, time: 0 });
      }
      reply(res, method, template, 200, { result: result.value, status: 'ok', time: 0.0001, usage: null });
    } catch (err) {
      if (!(err instanceof NotImplemented)) throw err;
      violations.push(`not implemented by the stand-in: ${method} ${template} ${err.message}`);
      sendJson(res, 501, { status: { error: 'not implemented by the stand-in' }, time: 0 });
    }
  }

  function reply(res: ServerResponse, method: string, template: string, status: number, body: unknown): void {
    if (template !== '') {
      const wrong = validator.checkResponse(method, template, status, body);
      if (wrong.length > 0) violations.push(`stand-in answered ${method} ${template} off-schema: ${wrong.join('; ')}`);
    }
    sendJson(res, status, body);
  }

  /** The operation's `result`; undefined for a missing collection. */
  function route(method: string, template: string, name: string, body: Record<string, unknown>): { value: unknown } | undefined {
    const collection = collections.get(name);
    const op = `${method} ${template.replace('/collections/{collection_name}', '')}`;
    if (op === 'GET /exists') return { value: { exists: collection !== undefined } };
    if (op === 'PUT ') {
      const vectors = body.vectors as { size?: number; distance?: string };
      if (typeof vectors.size !== 'number' || typeof vectors.distance !== 'string') throw new NotImplemented('named vectors');
      collections.set(name, { size: vectors.size, distance: vectors.distance, points: new Map(), indexes: {} });
      return { value: true };
    }
    if (!collection) return undefined;
    switch (op) {
      case 'GET ':
        return { value: collectionInfo(collection) };
      case 'PUT /index':
        collection.indexes[body.field_name as string] = body.field_schema as string;
        return { value: { operation_id: 0, status: 'completed' } };
      case 'PUT /points': {
        if (!Array.isArray(body.points)) throw new NotImplemented('batch upsert');
        for (const point of body.points as Point[]) {
          if (!Array.isArray(point.vector) || point.vector.length !== collection.size) {
            throw new NotImplemented(`vector of length ${Array.isArray(point.vector) ? point.vector.length : '?'} in a collection of ${collection.size}`);
          }
          collection.points.set(String(point.id), { id: point.id, vector: point.vector, payload: point.payload ?? {} });
        }
        return { value: { operation_id: 1, status: 'completed' } };
      }
      case 'POST /points/delete': {
        if (!body.filter) throw new NotImplemented('delete by ids');
        for (const [id, point] of collection.points) if (matches(point, body.filter as Filter)) collection.points.delete(id);
        return { value: { operation_id: 2, status: 'completed' } };
      }
      case 'POST /points/count':
        return { value: { count: [...collection.points.values()].filter((p) => matches(p, body?.filter as Filter)).length } };
      case 'POST /points/scroll': {
        const limit = (body.limit as number | undefined) ?? 10;
        const sorted = [...collection.points.values()].filter((p) => matches(p, body.filter as Filter)).sort((a, b) => String(a.id).localeCompare(String(b.id)));
        const from = body.offset === undefined || body.offset === null ? 0 : sorted.findIndex((p) => String(p.id) === String(body.offset));
        const page = sorted.slice(Math.max(0, from), Math.max(0, from) + limit);
        const next = sorted[Math.max(0, from) + limit];
        return { value: { points: page.map((p) => record(p, body.with_payload !== false)), next_page_offset: next ? next.id : null } };
      }
      case 'POST /points/query': {
        const query = body.query;
        if (!Array.isArray(query)) throw new NotImplemented('query other than a dense vector');
        const limit = (body.limit as number | undefined) ?? 10;
        const scored = [...collection.points.values()]
          .filter((p) => matches(p, body.filter as Filter))
          .map((p) => ({ ...record(p, body.with_payload === true), version: 0, score: cosine(query as number[], p.vector) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, limit);
        return { value: { points: scored } };
      }
      default:
        throw new NotImplemented('operation');
    }
  }

  function collectionInfo(c: Collection) {
    return {
      status: 'green',
      optimizer_status: 'ok',
      points_count: c.points.size,
      indexed_vectors_count: 0,
      segments_count: 1,
      config: {
        params: { vectors: { size: c.size, distance: c.distance }, shard_number: 1, replication_factor: 1, write_consistency_factor: 1, on_disk_payload: true },
        hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false },
        optimizer_config: {
          deleted_threshold: 0.2,
          vacuum_min_vector_number: 1000,
          default_segment_number: 0,
          max_segment_size: null,
          memmap_threshold: null,
          indexing_threshold: 20000,
          flush_interval_sec: 5,
          max_optimization_threads: null,
        },
        wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
      },
      payload_schema: Object.fromEntries(Object.entries(c.indexes).map(([k, type]) => [k, { data_type: type, points: c.points.size }])),
    };
  }

  function record(point: Point, withPayload: boolean) {
    return { id: point.id, ...(withPayload && { payload: point.payload }) };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    violations,
    setDelayMs(ms) {
      delayMs = ms;
    },
    close: () => closeServerNow(server),
  };
}
