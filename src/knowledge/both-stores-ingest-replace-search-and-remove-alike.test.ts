import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { configSchema } from '../config/schema.ts';
import { startEmbeddingsServer, type EmbeddingsServer } from '../../test/support/embeddings-server.ts';
import { startQdrantServer, type QdrantServer } from '../../test/support/qdrant-server.ts';
import { EmbeddingsClient } from './embeddings.ts';
import { collectFiles, Ingestor } from './ingest.ts';
import { KnowledgeBase, openKnowledgeStore } from './knowledge-base.ts';
import type { KnowledgeStore } from './store.ts';

const CORPUS = new URL('../../test/fixtures/knowledge/', import.meta.url).pathname;

let embeddings: EmbeddingsServer;
let qdrant: QdrantServer;
let work: string;

before(async () => {
  embeddings = await startEmbeddingsServer();
  qdrant = await startQdrantServer();
  work = await mkdtemp(join(tmpdir(), 'knowledge-stores-'));
});

after(async () => {
  await embeddings.close();
  await qdrant.close();
  await rm(work, { recursive: true, force: true });
});

const kinds = [
  { name: 'embedded store (SQLite + sqlite-vec)', config: () => ({ knowledge: { dir: join(work, 'embedded') } }) },
  // A stand-in checking every request against Qdrant's OpenAPI document: no Qdrant binary can be had here.
  { name: 'Qdrant (official client, against the OpenAPI-checked stand-in)', config: () => ({ qdrantUrl: qdrant.url, knowledge: { collection: 'docs' } }) },
];

for (const kind of kinds) {
  describe(kind.name, () => {
    let store: KnowledgeStore;
    let knowledge: KnowledgeBase;
    let ingestor: Ingestor;
    let docs: string;

    before(async () => {
      const config = configSchema.parse({ ...kind.config(), embeddings: { baseUrl: embeddings.url } });
      docs = join(work, `docs-${kind.name.split(' ')[0] ?? ''}`);
      await cp(CORPUS, docs, { recursive: true });
      store = openKnowledgeStore(config, { create: true }) as KnowledgeStore;
      const client = new EmbeddingsClient(config.embeddings);
      ingestor = new Ingestor(store, client, config.knowledge.chunkChars);
      knowledge = new KnowledgeBase(config.knowledge, client, () => store);
    });

    after(async () => {
      await store.close();
      assert.deepEqual(qdrant.violations, []);
    });

    test('starts empty, and a search of an empty store finds nothing', async () => {
      assert.equal(await store.isEmpty(), true);
      assert.equal(await knowledge.hasDocuments(), false);
      assert.deepEqual(await knowledge.search('refund', new AbortController().signal), []);
      assert.deepEqual(await store.documents(), []);
    });

    test('ingests the English and Chinese corpus and finds the passage holding a fact', async () => {
      const { files } = await collectFiles([docs]);
      const outcomes = await Promise.all(files.map((file) => ingestor.ingest(file)));
      assert.deepEqual(outcomes.map((o) => o.status), files.map(() => 'added'));
      assert.equal((await store.documents()).length, 5);
      assert.equal(await store.isEmpty(), false);

      const [refund] = await knowledge.search('How long does the Aurora X2 headset refund take?', new AbortController().signal);
      assert.equal(refund?.heading, 'Aurora Outfitters handbook > Refunds');
      assert.match(refund?.text ?? '', /seventeen business days/);
      assert.ok((refund?.score ?? 0) > 0.3 && (refund?.score ?? 0) <= 1.0001, `score ${refund?.score}`);
      const [warranty] = await knowledge.search('极光X2耳机保修期多久', new AbortController().signal);
      assert.equal(warranty?.heading, '保修政策 > 耳机');
      assert.match(warranty?.text ?? '', /二十七个月/);
    });

    test('a changed file replaces its chunks; an unchanged one is skipped', async () => {
      const file = join(docs, 'warehouse-notes.txt');
      assert.equal((await ingestor.ingest(file)).status, 'unchanged');
      await writeFile(file, 'Warehouse notes\n\nThe Porto gate code changed to 9012.\n');
      assert.equal((await ingestor.ingest(file)).status, 'updated');
      const found = await knowledge.search('Porto warehouse gate code', new AbortController().signal);
      assert.equal(found.filter((p) => p.source === file).length, 1);
      assert.match(found[0]?.text ?? '', /9012/);
      assert.equal((await store.document(file))?.chunks, 1);
    });

    test('remove forgets a document and only it', async () => {
      const file = join(docs, 'store-hours.html');
      assert.equal(await store.remove(file), true);
      assert.equal(await store.remove(file), false);
      assert.equal(await store.document(file), undefined);
      const found = await knowledge.search('Lisbon store opening hours holidays', new AbortController().signal);
      assert.ok(found.every((p) => p.source !== file));
      assert.equal((await store.documents()).length, 4);
    });
  });
}
