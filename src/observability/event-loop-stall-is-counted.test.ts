import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { until } from '../../test/support/until.ts';
import { EventLoopStallWatch } from './event-loop-stalls.ts';
import { GatewayMetrics } from './metrics.ts';

async function stalls(metrics: GatewayMetrics): Promise<number> {
  const { body } = await metrics.render(undefined);
  return Number(/^s2s_event_loop_stalls_total (\d+)/m.exec(body)?.[1]);
}

test('a main thread blocked past limits.eventLoopStallMs counts one stall in s2s_event_loop_stalls_total', async () => {
  const metrics = GatewayMetrics.create();
  const watch = new EventLoopStallWatch(100, metrics, pino({ level: 'silent' }));
  try {
    assert.equal(await stalls(metrics), 0, 'the series exists from the start');
    await new Promise((resolve) => setTimeout(resolve, 120));
    const blockedUntil = performance.now() + 400;
    while (performance.now() < blockedUntil) {
      // Busy: what a spinning drain or a synchronous model call does to every session.
    }
    await until('the stall to be counted', async () => (await stalls(metrics)) >= 1, 5_000);
  } finally {
    watch.stop();
  }
});
