import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { chunkSections, markdownSections } from './chunking.ts';

const squeeze = (text: string) => text.replace(/\s+/g, '');

test('headings nest, fenced code holds no heading, and each chunk carries its headings', () => {
  const md = '# Guide\n\nIntro.\n\n## Returns\n\nThirty days.\n\n```\n# not a heading\n```\n\n### Refunds\n\nSeventeen days.\n\n## 保修\n\n保修期是二十七个月。';
  const chunks = chunkSections(markdownSections(md), 200);
  assert.deepEqual(chunks.map((c) => c.heading), ['Guide', 'Guide > Returns', 'Guide > Returns > Refunds', 'Guide > 保修']);
  assert.match(chunks[1]?.text ?? '', /# not a heading/);
});

test('chunks end at sentence ends, in English and in Chinese', () => {
  const english = chunkSections([{ headings: [], text: 'One sentence here. Another one follows! A third? Yes.' }], 40);
  assert.deepEqual(english.map((c) => c.text), ['One sentence here. Another one follows!', 'A third? Yes.']);
  const chinese = chunkSections([{ headings: [], text: '第一句话在这里。第二句话也在这里！第三句呢？是的。' }], 18);
  assert.deepEqual(chinese.map((c) => c.text), ['第一句话在这里。第二句话也在这里！', '第三句呢？是的。']);
});

test('no chunk is longer than the limit, and no text is lost or reordered (any text, any limit)', () => {
  const piece = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('。', '. ', '\n\n', '！', '? ', '中文句子', '𝒜'));
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), fc.integer({ min: 20, max: 300 }), (pieces, maxChars) => {
      const text = pieces.join('');
      const chunks = chunkSections([{ headings: ['H'], text }], maxChars);
      for (const chunk of chunks) assert.ok(chunk.text.length <= maxChars, `${chunk.text.length} > ${maxChars}`);
      assert.equal(squeeze(chunks.map((c) => c.text).join('')), squeeze(text));
    }),
    { numRuns: 300 },
  );
});
