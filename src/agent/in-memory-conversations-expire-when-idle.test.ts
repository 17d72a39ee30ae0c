import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HumanMessage } from '@langchain/core/messages';
import { MessagesAnnotation, StateGraph } from '@langchain/langgraph';
import { ExpiringMemorySaver } from './expiring-memory-saver.ts';

test('without Postgres, a conversation idle for memory.inMemoryIdleMs is forgotten; an active one is kept', async () => {
  const saver = new ExpiringMemorySaver(60_000);
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('echo', () => ({ messages: [] }))
    .addEdge('__start__', 'echo')
    .compile({ checkpointer: saver });
  try {
    await graph.invoke({ messages: [new HumanMessage('old')] }, { configurable: { thread_id: 'old' } });
    await graph.invoke({ messages: [new HumanMessage('new')] }, { configurable: { thread_id: 'new' } });
    assert.equal(saver.size, 2);
    await saver.sweep(Date.now() + 30_000);
    assert.equal(saver.size, 2, 'not idle long enough yet');
    await saver.sweep(Date.now() + 61_000);
    assert.equal(saver.size, 0);
    assert.equal(await saver.getTuple({ configurable: { thread_id: 'old' } }), undefined, 'its checkpoints are gone');
    assert.equal(saver.size, 0, 'reading a forgotten conversation does not bring it back');
  } finally {
    saver.close();
  }
});
