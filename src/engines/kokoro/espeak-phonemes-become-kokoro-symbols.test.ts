import assert from 'node:assert/strict';
import { test } from 'node:test';
import { espeakToKokoro } from './espeak-to-kokoro.ts';
import { phonemesToIds } from './vocab.ts';

// Inputs are espeak-ng's own output (the WASM build in the repo) for these phrases.
test('American English: diphthongs and affricates become misaki\'s letters, length marks go, r-colouring is spelled out', () => {
  const espeak = 'h_ə_l_ˈoʊ w_ˈɜː_l_d | dʒ_ˈɔɪ | tʃ_ˈɜː_tʃ | b_ˈʌ_ʔ_n̩ | w_ˈɔː_ɾ_ɚ | ɹ_ˈeɪ_n | m_ˈaɪ';
  assert.equal(espeakToKokoro(espeak, 'en-us'), 'həlˈO wˈɜɹld ʤˈY ʧˈɜɹʧ bˈʌtᵊn wˈɔɾəɹ ɹˈAn mˈI');
});

test('British English keeps length marks and has its own GOAT vowel', () => {
  assert.equal(espeakToKokoro('h_ə_l_ˈəʊ h_ˈeə n_ˈɪə b_ˈɒ_t_əl', 'en-gb'), 'həlˈQ hˈɛː nˈɪə bˈɒtᵊl');
});

test('a tie is one phoneme: "aɪ" across two phonemes (a_ɪ) is not a diphthong', () => {
  assert.equal(espeakToKokoro('n_a_ɪ_v', 'en-us'), 'naɪv');
});

test('other languages: misaki\'s EspeakG2P symbols, language-switch flags and hyphens removed', () => {
  assert.equal(espeakToKokoro('tʃ_ˈa_o p_ˈi_tsː_a', 'other'), 'ʧˈao pˈiʦːa');
  assert.equal(espeakToKokoro('b_ɔ̃_ʒ_ˈu_ʁ l_ə-', 'other'), 'bɔ̃ʒˈuʁ lə');
  assert.equal(espeakToKokoro('_(en)_tʃ_ˈaɪ_n_iː_z_(ja)_l', 'other'), 'ʧˈIniːzl');
});

test('ids are the vocabulary\'s, one per symbol; a symbol it lacks is dropped and reported', () => {
  assert.deepEqual(phonemesToIds('həlˈO.'), { ids: [50, 83, 54, 156, 31, 4], dropped: [] });
  assert.deepEqual(phonemesToIds('ä1'), { ids: [], dropped: ['ä', '1'] });
});
