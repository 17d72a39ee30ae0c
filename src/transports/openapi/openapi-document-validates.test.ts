import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { startTestGateway, type TestGateway } from '../../../test/support/gateway.ts';

const KEY = 'docs-key';

describe('the OpenAPI document', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({ server: { apiKeys: [KEY] } });
  });
  after(() => gateway.close());

  test('/openapi.json is a valid OpenAPI 3.1 document listing every speech route with its schema', async () => {
    const response = await gateway.app.inject({ url: '/openapi.json', headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(response.statusCode, 200);
    const document = response.json() as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; responses?: unknown }>> };
    assert.equal(document.openapi, '3.1.0');
    // Validates against the OpenAPI 3.1 schema and resolves every reference.
    await SwaggerParser.validate(structuredClone(document) as never);
    for (const [path, method] of [
      ['/v1/audio/transcriptions', 'post'],
      ['/v1/audio/speech', 'post'],
      ['/v1/models', 'get'],
      ['/api/voice/transcribe', 'post'],
      ['/api/voice/synthesize', 'post'],
      ['/api/voice/audio-stream', 'post'],
      ['/api/voice/voices', 'get'],
      ['/api/voice/health', 'get'],
      ['/tts', 'post'],
      ['/voices', 'get'],
    ] as const) {
      const operation = document.paths[path]?.[method];
      assert.ok(operation, `${method} ${path} is documented`);
      assert.ok(operation.responses, `${method} ${path} has responses`);
      if (method === 'post') assert.ok(operation.requestBody, `${method} ${path} has a request body`);
    }
  });

  test('the document and its page need the API key; /health, /ready and /metrics do not', async () => {
    assert.equal((await gateway.app.inject({ url: '/openapi.json' })).statusCode, 401);
    assert.equal((await gateway.app.inject({ url: '/docs' })).statusCode, 401);
    const page = await gateway.app.inject({ url: '/docs/', headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger-ui/i);
    assert.equal((await gateway.app.inject({ url: `/docs/json?token=${KEY}` })).json().openapi, '3.1.0');
    for (const url of ['/health', '/ready', '/metrics']) assert.notEqual((await gateway.app.inject({ url })).statusCode, 401, url);
  });
});
