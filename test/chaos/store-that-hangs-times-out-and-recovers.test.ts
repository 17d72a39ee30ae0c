import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conversationOf, readiness, textTurn, untilReady, useChaosGateway } from '../support/chaos.ts';
import { until } from '../support/until.ts';
import { TestClient } from '../support/ws-client.ts';

const chaos = useChaosGateway();

test('Postgres that hangs: the turn fails with memory_unavailable (not an LLM code), /ready says so, and all is well once it answers again', { timeout: 120_000 }, async () => {
  const { llm, postgres, gateway } = chaos;
  const client = await TestClient.connect(gateway.wsUrl);
  chaos.threads.push((await client.start()).session_id);
  assert.equal((await textTurn(client, 'When does my order ship?')).ok, true);

  postgres.pause();
  const hung = await textTurn(client, 'Are you still there?');
  assert.equal(hung.ok, false, `the turn ends with an error instead of hanging: ${JSON.stringify(client.received.flatMap((r) => (r.kind === 'message' ? [r.message] : [])).filter((m) => m.type !== 'llm_token').slice(-8))}`);
  if (!hung.ok) assert.equal(hung.error.code, 'memory_unavailable');
  await until('/ready to report Postgres unreachable', async () => {
    const ready = await readiness(gateway.url);
    return ready.status === 503 && ready.body.checks.postgres?.reachable === false;
  });

  await postgres.restore();
  await untilReady(gateway.url);
  const after = await textTurn(client, 'And when will it arrive?');
  assert.equal(after.ok, true);
  assert.deepEqual(conversationOf(llm, llm.requests.length - 1), [
    ['user', 'When does my order ship?'],
    ['assistant', 'Your order ships on Monday.'],
    ['user', 'And when will it arrive?'],
  ], 'the memory is intact and holds nothing of the failed turn');
  assert.equal(gateway.exitCode(), null);
  await client.close();
});
