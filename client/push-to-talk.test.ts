import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TEST_TRANSCRIPT, useGatewayWithLlm } from '../test/support/gateway.ts';
import { until } from '../test/support/until.ts';
import { FIXTURES_DIR, readWav } from '../test/support/wav.ts';
import { Conversation, S2SClient } from './index.js';

const LONG_ANSWER = Array.from({ length: 30 }, (_, i) => `Sentence number ${i + 1} is here.`).join(' ');

describe('push-to-talk with the client library', () => {
  const env = useGatewayWithLlm({ text: 'Your order ships today.' });
  const speech = readWav(join(FIXTURES_DIR, 'order-status-en-16k.wav'));

  const connect = async () => {
    const client = new S2SClient({ url: env.gateway.wsUrl, mode: 'push-to-talk', session: { audio: { sample_rate: speech.sampleRateHz, format: 'pcm16', channels: 1 } } });
    const conversation = new Conversation(client);
    await client.connect();
    return { client, conversation };
  };
  /** Sends the fixture in 20 ms frames as fast as the socket takes them; returns how many were sent. */
  const say = (client: S2SClient) => {
    const frame = speech.sampleRateHz / 50;
    let sent = 0;
    for (let i = 0; i < speech.samples.length; i += frame) if (client.sendAudio(speech.samples.slice(i, i + frame))) sent++;
    return sent;
  };
  test('audio flows only while talking, and releasing ends the utterance: transcript, then the answer', async () => {
    const { client, conversation } = await connect();
    assert.equal(say(client), 0, 'nothing is sent before talking');
    client.startTalking();
    assert.ok(say(client) > 0);
    client.stopTalking();
    await until('the answer', () => conversation.snapshot().turns.some((t) => t.status === 'done'));
    const [turn] = conversation.snapshot().turns;
    assert.equal(turn?.user, TEST_TRANSCRIPT);
    assert.equal(turn?.assistant, 'Your order ships today.');
    assert.ok(turn?.timings?.voice_to_voice_ms !== undefined, JSON.stringify(turn?.timings));
    client.close();
  });

  test('pressing to talk while the answer plays interrupts it', async () => {
    env.llm.setScript({ text: LONG_ANSWER, tokensPerSecond: 30 });
    try {
      const { client, conversation } = await connect();
      let audioFrames = 0;
      client.on('audio', () => audioFrames++);
      const interrupts: Array<string | undefined> = [];
      client.on('interrupt', ({ turnId }) => interrupts.push(turnId));
      client.text('Tell me a long story');
      await until('answer audio', () => audioFrames > 0);
      client.startTalking();
      await until('the interrupted turn', () => conversation.snapshot().turns[0]?.status === 'interrupted');
      assert.deepEqual(interrupts, [conversation.snapshot().turns[0]?.id]);
      assert.equal(conversation.snapshot().turns[0]?.user, 'Tell me a long story');
      client.stopTalking();
      client.close();
    } finally {
      env.llm.setScript({ text: 'Your order ships today.' });
    }
  });
});
