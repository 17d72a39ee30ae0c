import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitIntoTokens } from '../../test/support/llm-server.ts';
import { modelFirstPhraseMs, strictOverhead, textOverhead, voiceOverhead } from './overhead.ts';

test('text turn: what the client waited beyond the LLM to its first phrase and the first phrase\'s synthesis', () => {
  const o = textOverhead(460, { llm_first_phrase_ms: 430, tts_first_phrase_ms: 20, first_audio_ms: 455 });
  assert.deepEqual(o, { latencyMs: 460, stagesMs: 450, overheadMs: 10, ratio: 10 / 460, llmMs: 430 });
});

test('voice turn: the configured silence window counts as a stage, a late endpoint and the LLM\'s clock start do not', () => {
  // Server clock from the end of speech: endpoint noticed at 530 ms (30 ms late), transcript 60 ms later,
  // first phrase at 1000 ms, so the LLM itself took 1000 - 530 - 60 = 410 ms.
  const timings = { vad_endpoint_ms: 530, asr_ms: 60, llm_first_phrase_ms: 1000, tts_first_phrase_ms: 15 };
  const o = voiceOverhead(1050, timings, 500);
  assert.ok(o);
  assert.equal(o.llmMs, 410);
  assert.equal(o.stagesMs, 500 + 60 + 410 + 15);
  assert.equal(o.overheadMs, 1050 - 985);
  assert.equal(o.overheadMs, 30 + (1050 - 1015), 'the late endpoint plus what the client saw beyond the server\'s first audio');
});

test('a turn without audio has no overhead to report', () => {
  assert.equal(textOverhead(100, { llm_first_phrase_ms: 90 }), undefined);
  assert.equal(voiceOverhead(100, { llm_first_phrase_ms: 90, tts_first_phrase_ms: 5, asr_ms: 10 }, 500), undefined);
});

test('strict overhead puts a raw client\'s LLM time in place of the one the gateway measured: the agent path becomes ours', () => {
  const measured = textOverhead(460, { llm_first_phrase_ms: 430, tts_first_phrase_ms: 20 });
  assert.ok(measured);
  const strict = strictOverhead(measured, 400);
  assert.equal(strict.overheadMs, 40);
  assert.equal(strict.stagesMs, 420);
});

test('the stand-in completes the first phrase with the token the gateway\'s chunker cuts it at', () => {
  const tokens = splitIntoTokens('Your order shipped this morning. It should arrive on Thursday.');
  const ms = modelFirstPhraseMs(tokens, 150, 40);
  // Token i leaves at 150 + 25 i ms: the first phrase ends somewhere after "morning." (index 4).
  assert.ok(ms >= 150 + 4 * 25 && ms <= 150 + (tokens.length - 1) * 25, String(ms));
  assert.equal(modelFirstPhraseMs(splitIntoTokens('Yes'), 150, 40), 150, 'a one-token answer is complete when the stream ends');
});
