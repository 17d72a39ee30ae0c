import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { startLlmServer, type LlmServer } from '../../test/support/llm-server.ts';
import { spawnGateway, type ChildGateway } from '../../test/support/spawn-gateway.ts';
import { TestClient } from '../../test/support/ws-client.ts';

// The gateway runs in a child process: a frame that spins its event loop must fail this test, not freeze it.
let llm: LlmServer;
let gateway: ChildGateway;
let bystander: TestClient;

before(async () => {
  llm = await startLlmServer({ script: { text: 'Still here.' } });
  gateway = await spawnGateway({ llm: { baseUrl: llm.url } });
  bystander = await TestClient.connect(gateway.wsUrl);
  await bystander.start();
});

after(async () => {
  await bystander?.close().catch(() => undefined);
  await gateway?.close();
  await llm?.close();
});

const RATES = [8_000, 11_025, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000];

const sessionArbitrary = fc.record({
  sampleRateHz: fc.oneof(fc.constantFrom(...RATES), fc.integer({ min: 8_000, max: 48_000 })),
  channels: fc.constantFrom(1, 2),
  // Sizes around a sample and a frame, empty included, and now and then a larger chunk.
  frames: fc.array(fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 9_600 })), { maxLength: 60 }),
  ending: fc.constantFrom('audio_end', 'disconnect'),
});

type Case = typeof sessionArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** The inputs that froze the gateway: one tiny frame per format, and 48 kHz stereo in 1 ms frames. */
const REPORTED: Case[] = [
  { sampleRateHz: 16_000, channels: 1, frames: [0], ending: 'audio_end' },
  { sampleRateHz: 16_000, channels: 1, frames: [1], ending: 'disconnect' },
  { sampleRateHz: 44_100, channels: 1, frames: [2], ending: 'audio_end' },
  { sampleRateHz: 48_000, channels: 2, frames: [4], ending: 'audio_end' },
  { sampleRateHz: 48_000, channels: 2, frames: Array.from({ length: 50 }, () => 192), ending: 'disconnect' },
];

async function healthAnswers(): Promise<void> {
  const response = await fetch(`${gateway.url}/health`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(response.status, 200);
}

async function bystanderAnswers(): Promise<void> {
  const before = bystander.messages('pong').length;
  bystander.send({ type: 'ping' });
  await bystander.next('pong', { after: before, timeoutMs: 10_000 });
}

test('audio in any frame size, rate and channel count, empty frames included, never stalls the gateway or another session', { timeout: 300_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(sessionArbitrary, async ({ sampleRateHz, channels, frames, ending }) => {
      const client = await TestClient.connect(gateway.wsUrl);
      await client.start({ audio: { format: 'pcm16', sample_rate: sampleRateHz, channels } });
      for (const size of frames) client.sendAudio(new Uint8Array(size).map(() => Math.floor(Math.random() * 256)));
      if (ending === 'disconnect') {
        await client.close();
      } else {
        client.send({ type: 'audio_end' });
        // Whatever the audio held, audio_end is answered with a final transcript (empty when no speech was heard).
        await client.next('asr_final', { timeoutMs: 20_000 });
        await client.close();
      }
      await healthAnswers();
      await bystanderAnswers();
      assert.equal(gateway.exitCode(), null, 'the gateway is still running');
    }),
    // No shrinking: against a stalled gateway every further run only waits out its timeouts.
    { numRuns: 20, examples: REPORTED.map((c) => [c]), endOnFailure: true },
  );
  // The other session still gets whole answers.
  const before = bystander.messages('response_end').length;
  bystander.send({ type: 'text_input', text: 'Are you there?' });
  await bystander.next('response_end', { after: before, timeoutMs: 30_000 });
});
