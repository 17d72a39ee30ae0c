import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../core/errors.ts';
import { DEFAULT_SPEAKERS, startXttsServer } from '../../../test/support/xtts-server.ts';
import { XttsSynthesizer } from './xtts-synthesizer.ts';

const server = await startXttsServer();
after(() => server.close());

function notReady(...fragments: string[]) {
  return (err: unknown) => {
    assert.ok(err instanceof GatewayError, String(err));
    assert.equal(err.code, 'model_not_ready');
    for (const fragment of fragments) assert.ok(err.message.includes(fragment), `"${err.message}" lacks "${fragment}"`);
    return true;
  };
}

test('an unknown speaker fails with model_not_ready naming the server and listing its studio speakers', async () => {
  await assert.rejects(XttsSynthesizer.load({ url: server.url, speaker: 'Nobody', timeoutMs: 5000 }), notReady(server.url, '"Nobody"', ...DEFAULT_SPEAKERS));
});

test('a server that does not answer fails with model_not_ready naming its URL', async () => {
  const gone = await startXttsServer();
  await gone.close();
  await assert.rejects(XttsSynthesizer.load({ url: gone.url, speaker: 'Ana Florence', timeoutMs: 5000 }), notReady(gone.url, 'did not answer'));
});

test('a fallback language the server does not speak fails with model_not_ready listing the ones it does', async () => {
  await assert.rejects(XttsSynthesizer.load({ url: server.url, speaker: 'Ana Florence', fallbackLanguage: 'sv', timeoutMs: 5000 }), notReady('"sv"', 'zh-cn'));
});

test('a server answering in another shape fails with model_not_ready saying where', async () => {
  const odd = await startXttsServer({ speakers: { 'Ana Florence': { speaker_embedding: [], gpt_cond_latent: 'x' as unknown as number[][] } } });
  try {
    await assert.rejects(XttsSynthesizer.load({ url: odd.url, speaker: 'Ana Florence', timeoutMs: 5000 }), notReady('/studio_speakers', 'gpt_cond_latent'));
  } finally {
    await odd.close();
  }
});

test('aborting a load rejects with the abort reason', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(XttsSynthesizer.load({ url: server.url, speaker: 'Ana Florence', timeoutMs: 5000, signal: controller.signal }), { name: 'AbortError' });
});
