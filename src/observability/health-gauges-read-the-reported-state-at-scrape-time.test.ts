import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayMetrics } from './metrics.ts';

const sample = (body: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(body)?.[1]);

test('s2s_ready, s2s_llm_up and s2s_asr_queue_depth show the state at each scrape, in both formats', async () => {
  const metrics = GatewayMetrics.create();
  let state = { ready: false, llmReachable: false, asrQueued: 0 };
  const stop = metrics.reportHealth(() => state);

  let body = (await metrics.render(undefined)).body;
  assert.equal(sample(body, 's2s_ready'), 0);
  assert.equal(sample(body, 's2s_llm_up'), 0);

  state = { ready: true, llmReachable: true, asrQueued: 3 };
  for (const accept of [undefined, 'application/openmetrics-text;version=1.0.0']) {
    body = (await metrics.render(accept)).body;
    assert.equal(sample(body, 's2s_ready'), 1, accept);
    assert.equal(sample(body, 's2s_llm_up'), 1, accept);
    assert.equal(sample(body, 's2s_asr_queue_depth'), 3, accept);
  }

  // A closed runtime stops reporting: the gateway is no longer ready.
  stop();
  body = (await metrics.render(undefined)).body;
  assert.equal(sample(body, 's2s_ready'), 0);
});

test("a newer runtime's report is not undone by an older one closing", async () => {
  const metrics = GatewayMetrics.create();
  const stopOld = metrics.reportHealth(() => ({ ready: false, llmReachable: false, asrQueued: 0 }));
  metrics.reportHealth(() => ({ ready: true, llmReachable: true, asrQueued: 0 }));
  stopOld();
  assert.equal(sample((await metrics.render(undefined)).body, 's2s_ready'), 1);
});
