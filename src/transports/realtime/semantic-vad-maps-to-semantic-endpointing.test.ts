import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyUpdate, defaultSettings, toSessionUpdate, wireSession } from './settings.ts';

const VAD = { threshold: 0.5, prefixPaddingMs: 300, minSilenceMs: 500 };
const base = defaultSettings('gpt-realtime', VAD);

test('semantic_vad asks the session for semantic endpointing with its eagerness, auto being medium; server_vad does not', () => {
  for (const [eagerness, expected] of [['low', 'low'], ['high', 'high'], ['auto', 'medium'], [undefined, 'medium']] as const) {
    const settings = applyUpdate(base, { turn_detection: { type: 'semantic_vad', ...(eagerness && { eagerness }) } }, VAD);
    assert.deepEqual(toSessionUpdate(settings).turnTaking?.semantic, { eagerness: expected }, String(eagerness));
  }
  const server = applyUpdate(base, { turn_detection: { type: 'server_vad', silence_duration_ms: 700 } }, VAD);
  assert.equal(toSessionUpdate(server).turnTaking?.semantic, undefined);
  assert.equal(toSessionUpdate(server).turnTaking?.vad?.minSilenceMs, 700);
});

test('the session reports semantic_vad in OpenAI shape in both dialects, and server_vad with its thresholds', () => {
  const semantic = applyUpdate(base, { audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'high', create_response: false } } } }, VAD);
  const ga = wireSession(semantic, 'sess_1', 'alloy', 'ga') as { audio: { input: { turn_detection: unknown } } };
  assert.deepEqual(ga.audio.input.turn_detection, { type: 'semantic_vad', eagerness: 'high', create_response: false, interrupt_response: true });
  const beta = wireSession(semantic, 'sess_1', 'alloy', 'beta') as { turn_detection: unknown };
  assert.deepEqual(beta.turn_detection, { type: 'semantic_vad', eagerness: 'high', create_response: false, interrupt_response: true });
  const server = wireSession(base, 'sess_1', 'alloy', 'beta') as { turn_detection: unknown };
  assert.deepEqual(server.turn_detection, {
    type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500, create_response: true, interrupt_response: true,
  });
});
