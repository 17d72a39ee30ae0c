import { parentPort, type Transferable } from 'node:worker_threads';
import type { ThreadReply, ThreadRequest } from './worker-thread.ts';

/** A handler's answer: `transfer` lists buffers of `result` handed to the main thread without a copy. */
export interface Served<Result> {
  result: Result;
  transfer?: Transferable[];
}

/**
 * The thread side of `WorkerThread`: answers each request with `handle`'s result, or with its error's message.
 * Requests are handled one at a time, in order.
 */
export function serveRequests<Request, Result>(handle: (request: Request) => Promise<Served<Result>>): void {
  const port = parentPort;
  if (port === null) throw new Error('serveRequests must run in a worker thread');
  let previous = Promise.resolve();
  port.on('message', ({ id, request }: ThreadRequest<Request>) => {
    previous = previous.then(async () => {
      let served: Served<Result>;
      try {
        served = await handle(request);
      } catch (err) {
        const reply: ThreadReply<Result> = { id, error: err instanceof Error ? err.message : String(err) };
        port.postMessage(reply);
        return;
      }
      const reply: ThreadReply<Result> = { id, result: served.result };
      port.postMessage(reply, served.transfer);
    });
  });
}
