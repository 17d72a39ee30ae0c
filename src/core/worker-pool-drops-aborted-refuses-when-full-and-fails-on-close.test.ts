import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type PoolMember, WorkerPool } from './worker-pool.ts';

/** A member whose work ends when the test says so; it fails the test if given two requests at once. */
class Member implements PoolMember<string, string> {
  readonly ran: string[] = [];
  closed = false;
  #finish: (() => void) | undefined;

  run(request: string): Promise<string> {
    assert.equal(this.#finish, undefined, 'a member got a request while running one');
    this.ran.push(request);
    return new Promise((resolve) => {
      this.#finish = () => {
        this.#finish = undefined;
        resolve(`done ${request}`);
      };
    });
  }

  get running(): boolean {
    return this.#finish !== undefined;
  }

  finish(): void {
    this.#finish?.();
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

const errors = (failure: 'full' | 'closed') => new Error(failure);
const live = (): AbortSignal => new AbortController().signal;
const settle = () => new Promise((resolve) => setImmediate(resolve));

function pool(size: number, maxQueued: number, laneOf?: (request: string) => string) {
  const members = Array.from({ length: size }, () => new Member());
  return { members, pool: new WorkerPool(members, { maxQueued, error: errors, ...(laneOf && { laneOf }) }) };
}

test('a request aborted while queued leaves the queue at once and never runs', async () => {
  const { members: [member], pool: p } = pool(1, 4);
  const running = p.run('first', live());
  const controller = new AbortController();
  const queued = p.run('aborted', controller.signal);
  assert.equal(p.stats().queued, 1);
  controller.abort();
  assert.equal(p.stats().queued, 0);
  await assert.rejects(queued, { name: 'AbortError' });
  member!.finish();
  assert.equal(await running, 'done first');
  assert.deepEqual(member!.ran, ['first']);
});

test('a request aborted while running is answered at once; its member drains before it takes the next', async () => {
  const { members: [member], pool: p } = pool(1, 4);
  const controller = new AbortController();
  const abandoned = p.run('abandoned', controller.signal);
  const next = p.run('next', live());
  controller.abort();
  await assert.rejects(abandoned, { name: 'AbortError' });
  assert.deepEqual(p.stats(), { idle: 0, busy: 0, draining: 1, queued: 1 });
  member!.finish();
  await settle();
  assert.deepEqual(p.stats(), { idle: 0, busy: 1, draining: 0, queued: 0 });
  member!.finish();
  assert.equal(await next, 'done next');
  assert.deepEqual(p.stats(), { idle: 1, busy: 0, draining: 0, queued: 0 });
});

test('a request whose signal is already aborted is refused without running', async () => {
  const { members: [member], pool: p } = pool(1, 4);
  await assert.rejects(p.run('x', AbortSignal.abort()), { name: 'AbortError' });
  await assert.rejects(p.tryRun('x', AbortSignal.abort()) ?? Promise.resolve(), { name: 'AbortError' });
  assert.deepEqual(member!.ran, []);
});

test('past maxQueued waiting requests a request is refused with the pool\'s "full" error', async () => {
  const { members: [member], pool: p } = pool(1, 2);
  const accepted = ['a', 'b', 'c'].map((request) => p.run(request, live()));
  await assert.rejects(p.run('d', live()), { message: 'full' });
  for (let i = 0; i < 3; i++) {
    member!.finish();
    await settle();
  }
  assert.deepEqual(await Promise.all(accepted), ['done a', 'done b', 'done c']);
});

test('tryRun never waits: undefined while every member is busy', async () => {
  const { members: [member], pool: p } = pool(1, 4);
  const running = p.run('final', live());
  assert.equal(p.tryRun('partial', live()), undefined);
  assert.equal(p.stats().queued, 0);
  member!.finish();
  await running;
  const partial = p.tryRun('partial', live());
  member!.finish();
  assert.equal(await partial, 'done partial');
});

test('close fails running and queued requests, refuses new ones and closes every member', async () => {
  const { members, pool: p } = pool(2, 4);
  const requests = ['a', 'b', 'c'].map((request) => p.run(request, live()));
  await p.close();
  for (const request of requests) await assert.rejects(request, { message: 'closed' });
  await assert.rejects(p.run('d', live()), { message: 'closed' });
  assert.ok(members.every((member) => member.closed));
});

test('waiting requests are served round-robin by lane', async () => {
  const { members: [member], pool: p } = pool(1, 8, (request) => request.slice(0, 1));
  const all = ['a0', 'a1', 'a2', 'b1', 'c1'].map((request) => p.run(request, live()));
  for (let i = 0; i < all.length; i++) {
    member!.finish();
    await settle();
  }
  await Promise.all(all);
  assert.deepEqual(member!.ran, ['a0', 'a1', 'b1', 'c1', 'a2']);
});

test('whatever runs, aborts and finishes, each caller is answered once and no member runs two requests', async () => {
  const step = fc.oneof(
    fc.constant({ kind: 'run' as const }),
    fc.record({ kind: fc.constant('abort' as const), which: fc.nat() }),
    fc.record({ kind: fc.constant('finish' as const), which: fc.nat() }),
  );
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.array(step, { maxLength: 40 }), async (size, maxQueued, steps) => {
      const { members, pool: p } = pool(size, maxQueued);
      const controllers: AbortController[] = [];
      const answers: number[] = [];
      for (const s of steps) {
        if (s.kind === 'run') {
          const controller = new AbortController();
          const index = controllers.push(controller) - 1;
          answers.push(0);
          p.run(`r${index}`, controller.signal).then(
            () => answers[index]!++,
            () => answers[index]!++,
          );
        } else if (s.kind === 'abort' && controllers.length > 0) {
          controllers[s.which % controllers.length]!.abort();
        } else if (s.kind === 'finish') {
          members[s.which % members.length]!.finish();
        }
        await settle();
        const stats = p.stats();
        assert.equal(stats.idle + stats.busy + stats.draining, size);
        assert.ok(stats.queued <= maxQueued);
      }
      for (let round = 0; round <= steps.length; round++) {
        for (const member of members) member.finish();
        await settle();
      }
      assert.ok(answers.every((count) => count === 1), `answers per request: ${answers}`);
      assert.ok(members.every((member) => !member.running));
    }),
  );
});
