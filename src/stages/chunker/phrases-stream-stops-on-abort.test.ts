import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phrases } from './phrases.ts';

async function* tokensOf(...tokens: string[]): AsyncIterable<string> {
  for (const token of tokens) {
    await new Promise((resolve) => setImmediate(resolve));
    yield token;
  }
}

async function collect(source: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const phrase of source) out.push(phrase);
  return out;
}

test('tokens in, phrases out, the rest flushed when the tokens end', async () => {
  const out = await collect(phrases(tokensOf('Sure', ', I checked', ' it. It costs 3', '.', '14 dollars', '. Bye'), new AbortController().signal));
  assert.deepEqual(out, ['Sure, I checked it.', 'It costs 3.14 dollars.', 'Bye']);
});

test('an abort while the token source hangs ends the stream at once, without the rest, and releases the source', async () => {
  const controller = new AbortController();
  let released = false;
  let pulls = 0;
  const hungAfterOneToken: AsyncIterable<string> = {
    [Symbol.asyncIterator]: () => ({
      next: () => (pulls++ === 0 ? Promise.resolve({ done: false, value: 'First sentence here. Second one' }) : new Promise(() => {})),
      return: () => {
        released = true;
        return Promise.resolve({ done: true, value: undefined });
      },
    }),
  };
  const seen: string[] = [];
  for await (const phrase of phrases(hungAfterOneToken, controller.signal)) {
    seen.push(phrase);
    setImmediate(() => controller.abort());
  }
  assert.deepEqual(seen, ['First sentence here.']);
  assert.equal(released, true);
});

test('an already aborted signal yields nothing', async () => {
  assert.deepEqual(await collect(phrases(tokensOf('Hello there. How are you?'), AbortSignal.abort())), []);
});

test('an abort between two phrases of one token stops before the second', async () => {
  const controller = new AbortController();
  const seen: string[] = [];
  for await (const phrase of phrases(tokensOf('One sentence. Two more words here. Three words again. '), controller.signal)) {
    seen.push(phrase);
    controller.abort();
  }
  assert.deepEqual(seen, ['One sentence.']);
});
