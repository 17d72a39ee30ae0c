import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { until } from '../../test/support/until.ts';
import { RedisLeases } from './leases.ts';

// The real local Redis (CI and developer machines run it); override with S2S_TEST_REDIS_URL.
const REDIS_URL = process.env.S2S_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);
const leases = new RedisLeases(REDIS_URL, 1_500, pino({ level: 'silent' }));
after(async () => {
  await leases.close();
  redis.disconnect();
});

test('a renewal takes back a lease Redis lost, and ends the hold when another holder has it (a missed take-over notice)', async () => {
  await leases.subscribed;
  const id = `lease-test-${randomUUID()}`;
  const key = `s2s:session-lease:${id}`;
  let takenOver = 0;
  const lease = await leases.acquire(id, async () => void takenOver++);
  const mine = await redis.get(key);
  assert.ok(mine);

  // Redis restarted without persistence: the key is gone, and the next renewal (within 500 ms) sets it again.
  await redis.del(key);
  await until('lease taken back', async () => (await redis.get(key)) === mine, 5_000);
  assert.equal(takenOver, 0, 'losing the key is not a take-over');

  // Another gateway holds it now, and its notice never arrived.
  await redis.set(key, 'another-holder', 'PX', 10_000);
  await until('take-over noticed at renewal', () => takenOver === 1, 5_000);
  await lease.release();
  assert.equal(await redis.get(key), 'another-holder', 'releasing never deletes another holder\'s lease');
  await redis.del(key);
});
