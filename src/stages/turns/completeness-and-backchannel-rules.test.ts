import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBackchannel } from './backchannel.ts';
import { completeness, silenceNeededMs } from './completeness.ts';

test('a finished question or sentence looks complete, in English and Chinese', () => {
  for (const text of ['Where is my order?', 'Tell me about the weather.', '我的订单到哪了？', '你好。', 'Stop!']) assert.equal(completeness(text), 'complete', text);
});

test('a trailing conjunction, filler or hesitation looks unfinished, even with a period after it', () => {
  for (const text of ['I want to know and um', 'and um.', 'So', 'I was going to', 'My order, you know', 'Well...', '我想问一下然后', '那个', '就是，']) {
    assert.equal(completeness(text), 'hesitant', text);
  }
});

test('neither: the base window; the silence needed follows the kind', () => {
  assert.equal(completeness('my order number is 42'), 'open');
  const bounds = { completeSilenceMs: 200, baseSilenceMs: 500, hesitantSilenceMs: 1_200 };
  assert.deepEqual(['Where is it?', 'my order', 'and um'].map((t) => silenceNeededMs(completeness(t), bounds)), [200, 500, 1_200]);
});

test('acknowledgements and nothing intelligible are backchannels, in English and Chinese', () => {
  for (const text of ['Uh-huh.', 'Mm-hmm', 'Yeah, yeah.', 'Okay.', 'I see.', 'Got it.', 'Oh, right.', '', '...', '嗯', '嗯嗯。', '对对对', '好的', '是的']) {
    assert.equal(isBackchannel(text), true, text);
  }
});

test('anything that asks for something, or says more than a few words, interrupts', () => {
  for (const text of ['Wait, stop.', 'Stop', 'No', 'What about Friday?', 'I want', 'see it', 'yeah yeah yeah yeah yeah', '等一下', '不对', '它在哪']) {
    assert.equal(isBackchannel(text), false, text);
  }
});
