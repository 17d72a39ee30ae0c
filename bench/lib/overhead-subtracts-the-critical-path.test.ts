import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitIntoTokens } from '../../test/support/llm-server.ts';
import { modelFirstPhraseMs, strictTextOverhead, strictVoiceOverhead, textOverhead, voiceOverhead } from './overhead.ts';

test('text turn: what the client waited beyond the LLM to its first phrase and the first phrase\'s synthesis', () => {
  const o = textOverhead(460, { llm_first_phrase_ms: 430, tts_first_phrase_ms: 20, first_audio_ms: 455 });
  assert.deepEqual(o, { latencyMs: 460, stagesMs: 450, overheadMs: 10, ratio: 10 / 460 });
});

test('voice turn: the configured silence window counts as a stage, a late endpoint and the LLM\'s clock start do not', () => {
  // Server clock from the end of speech: endpoint noticed at 530 ms (30 ms late), transcript 60 ms later,
  // first phrase at 1000 ms, so the LLM itself took 1000 - 530 - 60 = 410 ms.
  const timings = { vad_endpoint_ms: 530, asr_ms: 60, llm_first_phrase_ms: 1000, tts_first_phrase_ms: 15 };
  const o = voiceOverhead(1050, timings, 500);
  assert.ok(o);
  assert.equal(o.stagesMs, 500 + 60 + 410 + 15);
  assert.equal(o.overheadMs, 1050 - 985);
  assert.equal(o.overheadMs, 30 + (1050 - 1015), 'the late endpoint plus what the client saw beyond the server\'s first audio');
});

test('a turn without audio has no overhead to report', () => {
  assert.equal(textOverhead(100, { llm_first_phrase_ms: 90 }), undefined);
  assert.equal(voiceOverhead(100, { llm_first_phrase_ms: 90, tts_first_phrase_ms: 5, asr_ms: 10 }, 500), undefined);
});

test('strict overhead puts a raw client\'s LLM time in place of the one the gateway measured: the agent path becomes ours', () => {
  const strict = strictTextOverhead(460, { llm_first_phrase_ms: 430, tts_first_phrase_ms: 20 }, 400);
  assert.ok(strict);
  assert.equal(strict.stagesMs, 420);
  assert.equal(strict.overheadMs, 40);
});

test('strict overhead of a plain voice turn adds the window, the transcription, the raw LLM and the synthesis up', () => {
  // The voice turn above, with a raw client reaching the first phrase in 310 ms where the gateway took 410.
  const timings = { vad_endpoint_ms: 530, asr_ms: 60, llm_first_phrase_ms: 1000, tts_first_phrase_ms: 15 };
  const strict = strictVoiceOverhead(1050, timings, 310, { minSilenceMs: 500 });
  assert.ok(strict);
  assert.equal(strict.stagesMs, 500 + 60 + 310 + 15);
  assert.equal(strict.overheadMs, 165);
});

test('strict overhead of a committed draft counts only what of the draft outlasts the silence window', () => {
  // The draft began at the 200 ms pause, transcribed in 45 ms and asked the LLM at 245 ms, which a raw client
  // answers in 310 ms: first phrase at 555 ms, synthesised by 558 ms, 58 ms after the 500 ms window closed.
  // The gateway's clock: endpoint at 501 ms, first phrase at 566 ms, first audio at 569; the client heard it at 571.
  const timings = { vad_endpoint_ms: 501, asr_ms: 45, llm_first_phrase_ms: 566, tts_first_phrase_ms: 3, first_audio_ms: 569 };
  const window = { minSilenceMs: 500, draftAfterMs: 200 };
  const strict = strictVoiceOverhead(571, timings, 310, window);
  assert.ok(strict);
  assert.equal(strict.stagesMs, 558);
  assert.equal(strict.overheadMs, 13, 'the draft 11 ms later than the raw path allows, and 2 ms to reach the client');
  const headline = voiceOverhead(571, timings, window.minSilenceMs);
  assert.ok(headline);
  assert.equal(headline.overheadMs, 571 - (500 + 45 + (566 - 501 - 45) + 3), 'the headline reads the overlap off the gateway\'s clock');
  assert.equal(headline.overheadMs, 3);
});

test('a draft ready before the endpoint leaves only the window: a gateway that adds nothing has no strict overhead', () => {
  // Raw LLM 150 ms: the draft's audio is ready at 200 + 45 + 150 + 3 = 398 ms and held until the endpoint at 500.
  const timings = { vad_endpoint_ms: 500, asr_ms: 45, llm_first_phrase_ms: 395, tts_first_phrase_ms: 3 };
  const strict = strictVoiceOverhead(500, timings, 150, { minSilenceMs: 500, draftAfterMs: 200 });
  assert.ok(strict);
  assert.equal(strict.stagesMs, 500);
  assert.equal(strict.overheadMs, 0);
});

test('the stand-in completes the first phrase with the token the gateway\'s chunker cuts it at', () => {
  const tokens = splitIntoTokens('Your order shipped this morning. It should arrive on Thursday.');
  const ms = modelFirstPhraseMs(tokens, 150, 40);
  // Token i leaves at 150 + 25 i ms: the first phrase ends somewhere after "morning." (index 4).
  assert.ok(ms >= 150 + 4 * 25 && ms <= 150 + (tokens.length - 1) * 25, String(ms));
  assert.equal(modelFirstPhraseMs(splitIntoTokens('Yes'), 150, 40), 150, 'a one-token answer is complete when the stream ends');
});
