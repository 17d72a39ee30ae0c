import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import { writeDashboardsFixture } from './dashboards-fixture.ts';
import { container, envOf, runStackWithMocks } from './mocked-stack.ts';

const stack = await runStackWithMocks({
  config: { gpu: 'none', embeddingsModel: 'example/multilingual-embed-GGUF:Q8_0', embeddingsPooling: 'cls' },
  dashboardsDir: writeDashboardsFixture(),
});

test('an embeddings server runs beside the LLM server, in embeddings mode, on the same llama.cpp build', () => {
  const embeddings = container(stack, 'embeddings');
  const command = embeddings.inputs.command as string[];
  assert.ok(command.includes('--embeddings'));
  assert.equal(command[command.indexOf('-hf') + 1], 'example/multilingual-embed-GGUF:Q8_0');
  assert.equal(command[command.indexOf('--pooling') + 1], 'cls');
  assert.equal(embeddings.inputs.image, container(stack, 'llm').inputs.image, 'a CPU stack runs one llama.cpp image');
  assert.ok(embeddings.secretInputs.has('envs'), 'its API key is a secret');
});

test('the gateway is wired to the embeddings server and to Qdrant, with the key kept secret', () => {
  const gateway = container(stack, 'gateway');
  const env = envOf(gateway);
  const serverKey = envOf(container(stack, 'embeddings')).get('LLAMA_API_KEY');
  assert.ok(serverKey);
  assert.equal(env.get('S2S_EMBEDDINGS_API_KEY'), serverKey);
  assert.ok(gateway.secretInputs.has('envs'));

  const config = loadConfig({ env: Object.fromEntries(env) });
  assert.equal(config.embeddings.baseUrl, 'http://embeddings:8080/v1');
  assert.equal(config.embeddings.model, 'example/multilingual-embed-GGUF:Q8_0');
  assert.equal(config.qdrantUrl, 'http://qdrant:6333');
  assert.equal(config.knowledge.enabled, true);
});
