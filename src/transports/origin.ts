import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Which web pages may open a WebSocket to the gateway. Browsers send the page's Origin on every upgrade and let
 * any page connect anywhere, so without this check any site a user visits could drive a gateway on their machine.
 * Allowed: no Origin (not a browser: SDKs, servers, telephony bridges), the gateway's own origin (the voice page
 * it serves), and the configured ones (`*` for any).
 */
export function originCheck(allowedOrigins: readonly string[]) {
  const any = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins.map(normalise));
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!request.ws) return;
    const origin = request.headers.origin;
    if (origin === undefined || any || allowed.has(normalise(origin)) || isSameOrigin(origin, request.headers.host)) return;
    await reply.code(403).send({ error: 'origin_not_allowed', message: 'this page may not connect: add its origin to S2S_ACCESS_ALLOWED_ORIGINS' });
  };
}

function normalise(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin.toLowerCase();
  }
}

/** The page was served by this gateway: its origin's host is the one the upgrade was sent to. */
function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
