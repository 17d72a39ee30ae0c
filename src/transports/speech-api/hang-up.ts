import type { FastifyReply } from 'fastify';

/**
 * Aborted when the client goes away before its response is complete: its transcription or synthesis stops and
 * gives its place in the engines' queues up. (The request's own `close` fires once its body is read: not a hang-up.)
 */
export function abortOnHangUp(reply: FastifyReply): AbortController {
  const abort = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  return abort;
}
