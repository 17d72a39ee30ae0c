import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_MANDARIN_VOICE, MANDARIN_TEST_RATE_HZ, startTestGateway, type TestGateway } from '../../../test/support/gateway.ts';
import { TestClient } from '../../../test/support/ws-client.ts';
import { voicesResponseSchema } from './voices-route.ts';

describe('the browser door: the voice page, the client library and the voices', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({ server: { apiKeys: ['page-key'] } });
  });
  after(() => gateway.close());

  test('GET / is the voice page, with a policy that keeps it to its own origin', async () => {
    const page = await gateway.app.inject({ url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /<script type="module" src="\/web\/app.js">/);
    assert.match(String(page.headers['content-security-policy']), /connect-src 'self' ws: wss:/);
  });

  test('the page and the library are served as JavaScript modules, revalidated by ETag; tests and tool files are not served', async () => {
    for (const url of ['/web/app.js', '/client/index.js', '/client/browser-audio.js', '/client/worklets/playback-processor.js', '/client/react.js']) {
      const file = await gateway.app.inject({ url });
      assert.equal(file.statusCode, 200, url);
      assert.match(String(file.headers['content-type']), /^text\/javascript/, url);
      const again = await gateway.app.inject({ url, headers: { 'if-none-match': String(file.headers.etag) } });
      assert.equal(again.statusCode, 304, url);
    }
    assert.equal((await gateway.app.inject({ url: '/client/protocol-v1.schema.json' })).statusCode, 200);
    for (const url of ['/client/push-to-talk.test.ts', '/client/types.d.ts', '/client/worklets/tsconfig.json']) {
      assert.equal((await gateway.app.inject({ url })).statusCode, 404, url);
    }
    assert.equal((await gateway.app.inject({ url: '/client/../package.json' })).statusCode, 404);
  });

  test('GET /v1/voices needs the API key like the WebSocket, and lists each voice with the languages it speaks', async () => {
    assert.equal((await gateway.app.inject({ url: '/v1/voices' })).statusCode, 401);
    const response = await gateway.app.inject({ url: '/v1/voices?token=page-key' });
    assert.equal(response.statusCode, 200);
    const voices = voicesResponseSchema.parse(response.json());
    assert.deepEqual(voices, {
      default_voice: 'test-voice',
      voices: [
        { name: 'test-voice', sample_rate: 22_050, speakers: [], languages: ['en'] },
        // The default Mandarin voice (the catalog's huayan, a generated voice in tests) speaks Chinese sessions.
        { name: DEFAULT_MANDARIN_VOICE, sample_rate: MANDARIN_TEST_RATE_HZ, speakers: [], languages: ['zh'] },
      ],
      languages: ['auto', 'en', 'zh'],
    });
    const client = await TestClient.connect(`${gateway.wsUrl}?token=page-key`);
    assert.equal((await client.start()).voice, voices.default_voice);
    await client.close();
  });
});
