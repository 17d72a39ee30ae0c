import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { fitToBudget } from './memory-budget.ts';

const exchange = (i: number) => [
  new HumanMessage(`Question ${i} ${'x'.repeat(80)}`),
  new AIMessage({ content: '', tool_calls: [{ id: `call-${i}`, name: 'lookup', args: { i } }] }),
  new ToolMessage({ tool_call_id: `call-${i}`, content: `result ${i}` }),
  new AIMessage(`Answer ${i}`),
];

test('the oldest whole exchanges are dropped until the rest fits; a tool call always keeps its result', () => {
  const messages = Array.from({ length: 10 }, (_, i) => exchange(i)).flat();
  const { kept, dropped } = fitToBudget(messages, 200);
  assert.ok(kept.length < messages.length);
  assert.equal(kept.length + dropped.length, messages.length);
  assert.ok(HumanMessage.isInstance(kept[0]), 'what is kept starts at a user message');
  assert.equal(kept.length % 4, 0, 'exchanges are kept whole, tool call with its result');
  assert.equal((kept.at(-1) as AIMessage).content, 'Answer 9');
});

test('within budget nothing is dropped; the newest exchange is kept whatever its size', () => {
  const small = exchange(0);
  assert.equal(fitToBudget(small, 10_000).dropped.length, 0);
  const huge = [...exchange(1), new HumanMessage('y'.repeat(10_000))];
  const { kept } = fitToBudget(huge, 50);
  assert.equal(kept.length, 1);
});
