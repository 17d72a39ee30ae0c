import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { S2SClient } from '../../client/index.js';
import { spawnGateway, type GatewayProcess } from '../../test/support/gateway-process.ts';
import { startLlmServer, type LlmServer, type RecordedRequest } from '../../test/support/llm-server.ts';

// The real local stores (CI and developer machines run them); override with S2S_TEST_POSTGRES_URL / _REDIS_URL.
const POSTGRES_URL = process.env.S2S_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.S2S_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SLOW_ANSWER = 'Let me think about that for a little while before I give you a careful answer.';

/** Replicas of one deployment: the same stores and LLM, each its own process and port. */
const replica = (llm: LlmServer) =>
  spawnGateway({ S2S_LLM_BASE_URL: llm.url, S2S_POSTGRES_URL: POSTGRES_URL, S2S_REDIS_URL: REDIS_URL, S2S_SHUTDOWN_GRACE_MS: '8000' });

/** The conversation the LLM was sent for a request, without the system prompt. */
const conversation = (request: RecordedRequest | undefined) =>
  (request?.body.messages ?? []).filter((m) => m.role !== 'system').map((m) => `${m.role}: ${String(m.content)}`);

/** The next event of `type`; rejects if the client gives up on the connection first. */
function next<K extends 'response_end' | 'session_started' | 'llm_token'>(client: S2SClient, type: K) {
  return new Promise<Parameters<Parameters<S2SClient['on']>[1]>[0]>((resolve, reject) => {
    const stops = [
      client.on(type, (event) => {
        stops.forEach((stop) => stop());
        resolve(event);
      }),
      client.on('state', ({ state, code, reason }) => {
        if (state !== 'closed') return;
        stops.forEach((stop) => stop());
        reject(new Error(`the client gave up waiting for ${type}: closed ${code} ${reason ?? ''}`));
      }),
    ];
  });
}

/** Says `text` and waits for the answer's end. */
async function say(client: S2SClient, text: string) {
  const ended = next(client, 'response_end');
  client.text(text);
  return (await ended) as { interrupted: boolean };
}

describe('two gateway processes sharing Redis and Postgres', () => {
  let llm: LlmServer;
  const replicas: GatewayProcess[] = [];
  before(async () => {
    llm = await startLlmServer({
      script: (request) => {
        const last = String(request.body.messages?.at(-1)?.content ?? '');
        return last.includes('slowly') ? { text: SLOW_ANSWER, tokensPerSecond: 10 } : { text: 'Noted.' };
      },
    });
    replicas.push(...(await Promise.all([replica(llm), replica(llm)])));
  });
  after(async () => {
    for (const gateway of replicas) gateway.child.kill('SIGKILL');
    await llm?.close();
  });

  test('SIGTERM mid-answer: the answer finishes, the client resumes on the other replica with its memory', async () => {
    const [draining, survivor] = replicas as [GatewayProcess, GatewayProcess];
    const client = new S2SClient({ url: [draining.wsUrl, survivor.wsUrl], session: { lang: 'en' }, reconnect: { minDelayMs: 50 } });
    const started = await client.connect();
    await say(client, 'My name is Ada.');

    const firstToken = next(client, 'llm_token');
    const answered = next(client, 'response_end');
    const resumed = next(client, 'session_started');
    client.text('Tell me slowly what you think.');
    await firstToken;
    draining.child.kill('SIGTERM');
    assert.equal(((await answered) as { interrupted: boolean }).interrupted, false, 'the running answer finished');
    const again = (await resumed) as { session_id: string; resumed: boolean };
    assert.deepEqual({ id: again.session_id, resumed: again.resumed }, { id: started.session_id, resumed: true });
    assert.deepEqual(await draining.exited, { code: 0, signal: null });

    const before = llm.requests.length;
    await say(client, 'What is my name?');
    assert.deepEqual(conversation(llm.requests[before]), [
      'user: My name is Ada.',
      'assistant: Noted.',
      'user: Tell me slowly what you think.',
      `assistant: ${SLOW_ANSWER}`,
      'user: What is my name?',
    ]);
    client.close();
  });

  test('SIGKILL mid-answer: the client resumes on another replica, with every finished turn in memory', async () => {
    const victim = replicas[1]!;
    replicas.push(await replica(llm));
    const survivor = replicas[2]!;
    const client = new S2SClient({ url: [victim.wsUrl, survivor.wsUrl], session: { lang: 'en' }, reconnect: { minDelayMs: 50 } });
    const started = await client.connect();
    await say(client, 'My favourite colour is teal.');

    const firstToken = next(client, 'llm_token');
    const resumed = next(client, 'session_started');
    client.text('Tell me slowly about colours.');
    await firstToken;
    victim.child.kill('SIGKILL');
    const again = (await resumed) as { session_id: string; resumed: boolean };
    assert.deepEqual({ id: again.session_id, resumed: again.resumed }, { id: started.session_id, resumed: true });

    const before = llm.requests.length;
    await say(client, 'What is my favourite colour?');
    const remembered = conversation(llm.requests[before]);
    // The killed replica's unfinished turn may or may not have reached the checkpointer; the finished one did.
    assert.deepEqual(remembered.slice(0, 2), ['user: My favourite colour is teal.', 'assistant: Noted.']);
    assert.equal(remembered.at(-1), 'user: What is my favourite colour?');
    client.close();
  });
});
