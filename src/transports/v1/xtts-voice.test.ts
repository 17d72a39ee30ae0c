import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { expectedSamples, startXttsServer, type XttsServer } from '../../../test/support/xtts-server.ts';
import { TestClient } from '../../../test/support/ws-client.ts';

describe('tts.engine xtts: the gateway speaks through an XTTS streaming server', () => {
  let xtts: XttsServer;
  before(async () => {
    xtts = await startXttsServer();
  });
  after(() => xtts.close());
  const secondSpeaker = () => Object.keys(xtts.speakers)[1] as string;
  const env = useGatewayWithLlm({ text: 'Bonjour. Ça va bien.' }, () => ({
    tts: { engine: 'xtts', url: xtts.url, speaker: secondSpeaker() },
  }));

  test('a turn streams the server audio at 24 kHz, one request per phrase, in the session language', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    const started = await client.start({ lang: 'fr' });
    assert.equal(started.audio_out.sample_rate, 24_000);
    assert.equal(started.voice, `xtts:${secondSpeaker()}`);
    client.send({ type: 'text_input', text: 'Comment ça va ?' });
    const end = await client.next('response_end');
    await client.close();
    assert.equal(end.interrupted, false);
    assert.equal(client.messages('tts_start')[0]?.sample_rate, 24_000);
    const phrases = xtts.requests.filter((r) => r.path === '/tts_stream');
    assert.deepEqual(phrases.map((r) => r.body?.text), ['Bonjour.', 'Ça va bien.']);
    assert.ok(phrases.every((r) => r.body?.language === 'fr'));
    assert.equal(client.audioBytes(), 2 * (expectedSamples('Bonjour.').length + expectedSamples('Ça va bien.').length));
  });
});
