import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EspeakIpa } from './espeak-ipa.ts';
import { phonemesToIds, sentencePhonemes } from './phoneme-ids.ts';

// The fragment of piper-phonemize's default espeak map that its own test uses.
const GERMAN_FRAGMENT = { _: [0], '^': [1], $: [2], '!': [4], c: [16], l: [24], t: [32], ɪ: [74], ˈ: [120], '\u0327': [140] };

test('German "licht!" maps to the ids of piper-phonemize\'s reference test', () => {
  // espeak writes the ç precomposed; NFD turns it into c + combining cedilla, as piper-phonemize does.
  const phonemes = sentencePhonemes([{ ipa: 'lˈɪçt', terminator: '!' }], {});
  assert.deepEqual(phonemes, ['l', 'ˈ', 'ɪ', 'c', '\u0327', 't', '!']);
  assert.deepEqual(phonemesToIds(phonemes, GERMAN_FRAGMENT), {
    ids: [1, 0, 24, 0, 120, 0, 74, 0, 16, 0, 140, 0, 32, 0, 4, 0, 2],
    dropped: [],
  });
});

test('our espeak-ng gives piper-phonemize\'s reference IPA for German "licht!"', async () => {
  const espeak = await EspeakIpa.start();
  assert.equal(espeak.clause('licht', 'de'), 'lˈɪçt');
});

test('clause terminators are re-attached as Piper does: . ? ! alone, , : ; with a space', () => {
  const phonemes = sentencePhonemes(
    [
      { ipa: 'a', terminator: ',' },
      { ipa: 'b', terminator: ':' },
      { ipa: 'c', terminator: ';' },
      { ipa: 'd', terminator: '?' },
    ],
    {},
  );
  assert.equal(phonemes.join(''), 'a, b: c; d?');
});

test('language-switch flags are removed, the phonemes around them kept', () => {
  const phonemes = sentencePhonemes([{ ipa: '(en)nɪ5(cmn) hˈa', terminator: '.' }], {});
  assert.equal(phonemes.join(''), 'nɪ5 hˈa.');
});

test('the voice phoneme_map replaces a phoneme by its list before ids are looked up', () => {
  const phonemes = sentencePhonemes([{ ipa: 'ca', terminator: '.' }], { c: ['k', 'x'] });
  assert.deepEqual(phonemes, ['k', 'x', 'a', '.']);
});

test('phonemes without an id are dropped and named', () => {
  const idMap = { _: [0], '^': [1], $: [2], a: [5] };
  assert.deepEqual(phonemesToIds(['a', 'ʒ', 'a', 'ʒ'], idMap), { ids: [1, 0, 5, 0, 5, 0, 2], dropped: ['ʒ', 'ʒ'] });
});

test('a phoneme with several ids gets one pad after all of them', () => {
  const idMap = { _: [0], '^': [1], $: [2], a: [5, 6] };
  assert.deepEqual(phonemesToIds(['a'], idMap).ids, [1, 0, 5, 6, 0, 2]);
});
