import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startQdrantServer, type QdrantServer } from './qdrant-server.ts';

let qdrant: QdrantServer;
before(async () => {
  qdrant = await startQdrantServer();
});
after(() => qdrant.close());

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${qdrant.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as { result?: unknown; status: unknown } };
}

test('requests that Qdrant would refuse are refused and recorded', async () => {
  const wrongType = await call('PUT', '/collections/c', { vectors: { size: 'four', distance: 'Cosine' } });
  assert.equal(wrongType.status, 400);
  const wrongEnum = await call('PUT', '/collections/c', { vectors: { size: 4, distance: 'Cosinus' } });
  assert.equal(wrongEnum.status, 400);
  const unknownQuery = await call('POST', '/collections/c/points/query?limit=3', { query: [1, 0, 0, 0] });
  assert.equal(unknownQuery.status, 400);
  const noRoute = await call('POST', '/collections/c/points/teleport', {});
  assert.equal(noRoute.status, 400);
  assert.equal(qdrant.violations.length, 4, qdrant.violations.join('\n'));
  qdrant.violations.length = 0;
});

test('valid requests are served with responses that match the document', async () => {
  assert.equal((await call('PUT', '/collections/c', { vectors: { size: 2, distance: 'Cosine' } })).status, 200);
  const upsert = await call('PUT', '/collections/c/points?wait=true', {
    points: [
      { id: 1, vector: [1, 0], payload: { source: 'a' } },
      { id: 2, vector: [0, 1], payload: { source: 'b' } },
    ],
  });
  assert.equal(upsert.status, 200);
  const query = await call('POST', '/collections/c/points/query', { query: [0.9, 0.1], limit: 1, with_payload: true });
  assert.deepEqual((query.body.result as { points: { id: number; payload: unknown }[] }).points.map((p) => [p.id, p.payload]), [[1, { source: 'a' }]]);
  const missing = await call('POST', '/collections/nope/points/count', {});
  assert.equal(missing.status, 404);
  assert.deepEqual(qdrant.violations, []);
});
