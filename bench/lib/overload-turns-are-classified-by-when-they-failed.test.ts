import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyTurn } from './overload-session.ts';

test('an error without a turn is a refusal before the LLM; an error of a started turn failed after it; else answered', () => {
  assert.deepEqual(classifyTurn([{ type: 'error', code: 'tts_busy' }], 0, undefined, 5), { kind: 'refused', code: 'tts_busy' });
  const failed = [
    { type: 'llm_token', turn_id: 't' },
    { type: 'error', code: 'tts_failed', turn_id: 't' },
    { type: 'response_end', turn_id: 't', interrupted: false },
  ];
  assert.deepEqual(classifyTurn(failed, 0, undefined, 9), { kind: 'failed_after_llm', code: 'tts_failed' });
  const answered = [{ type: 'llm_token', turn_id: 't' }, { type: 'response_end', turn_id: 't', interrupted: false }];
  assert.deepEqual(classifyTurn(answered, 10, 40, 110), { kind: 'answered', firstAudioMs: 30, totalMs: 100 });
});
