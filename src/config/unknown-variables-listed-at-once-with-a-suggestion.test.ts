import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './load.ts';

const messageOf = (env: NodeJS.ProcessEnv): string => {
  try {
    loadConfig({ env });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  assert.fail('the configuration was accepted');
};

test('every unknown S2S_ variable is named in one error, each with the nearest real name', () => {
  const message = messageOf({ S2S_PROT: '9000', S2S_LLM_BASEURL: 'http://x', S2S_TTS_VOCE: 'a', S2S_PORT: '9000' });
  assert.match(message, /S2S_PROT: did you mean S2S_PORT\?/);
  assert.match(message, /S2S_LLM_BASEURL: did you mean S2S_LLM_BASE_URL\?/);
  assert.match(message, /S2S_TTS_VOCE: did you mean S2S_TTS_VOICE\?/);
  // The valid one is not reported.
  assert.doesNotMatch(message, /^\s+S2S_PORT\b/m);
});

test('a name close to nothing gets no guess', () => {
  const message = messageOf({ S2S_COMPLETELY_UNRELATED_THING: '1' });
  assert.match(message, /S2S_COMPLETELY_UNRELATED_THING/);
  assert.doesNotMatch(message, /did you mean/);
});
