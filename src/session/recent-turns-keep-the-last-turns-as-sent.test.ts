import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentTurns } from './recent-turns.ts';

test('recent turns are the final transcripts and the answers as sent, the last five, each its last 400 characters', () => {
  const recent = new RecentTurns();
  recent.observe({ type: 'transcript_final', turnId: 't1', text: '' });
  recent.observe({ type: 'transcript_final', turnId: 't1', text: 'Where is my order?' });
  recent.observe({ type: 'answer_delta', turnId: 't1', text: 'It shipped. ' });
  recent.observe({ type: 'answer_delta', turnId: 't1', text: 'What is your number?' });
  assert.deepEqual(recent.messages(), [{ role: 'user', text: 'Where is my order?' }], 'an answer counts once its turn ended');
  recent.observe({ type: 'turn_ended', turnId: 't1', outcome: 'interrupted', timings: {} });
  assert.deepEqual(recent.messages(), [
    { role: 'user', text: 'Where is my order?' },
    { role: 'assistant', text: 'It shipped. What is your number?' },
  ]);

  recent.observe({ type: 'turn_ended', turnId: 'silent', outcome: 'completed', timings: {} });
  for (let i = 0; i < 5; i++) recent.observe({ type: 'transcript_final', turnId: `u${i}`, text: `${i} ${'x'.repeat(500)}` });
  assert.equal(recent.messages().length, 5);
  assert.ok(recent.messages().every((m) => m.role === 'user' && m.text.length === 400 && m.text.endsWith('x')));
});
