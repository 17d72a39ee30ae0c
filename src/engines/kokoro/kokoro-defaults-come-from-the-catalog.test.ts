import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configSchema } from '../../config/schema.ts';
import { loadCatalog, primaryFile } from '../../models/catalog.ts';
import { modelRequests } from '../registry.ts';

test('tts.engine = "kokoro" out of the box asks for the catalog\'s model and voice pack, which a first run fetches', () => {
  const requests = modelRequests(configSchema.parse({ tts: { engine: 'kokoro' } })).filter((r) => r.key[0] === 'tts');
  assert.deepEqual(requests.map((r) => [r.key.join('.'), r.value]), [['tts.model', 'kokoro-v1.0'], ['tts.voicePack', 'kokoro-v1.0-voices']]);
  const catalog = loadCatalog();
  for (const request of requests) {
    const model = catalog.models.find((m) => m.name === request.value);
    assert.equal(model?.kind, 'tts', request.value);
    assert.match(primaryFile(model).sha256 ?? '', /^[0-9a-f]{64}$/, `${request.value} is pinned by SHA-256`);
  }
});
