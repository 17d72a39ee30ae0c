import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

const digest = (key: string) => createHash('sha256').update(key).digest();

/**
 * Checks `Authorization: Bearer <key>`, or a `token` query parameter for browsers (which cannot set headers on a
 * WebSocket). Keys are compared as digests in constant time.
 */
export function createKeyCheck(apiKeys: readonly string[]): ((request: FastifyRequest) => boolean) | undefined {
  if (apiKeys.length === 0) return undefined;
  const accepted = apiKeys.map(digest);
  return (request) => {
    const header = request.headers.authorization;
    // The scheme is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` are as good as `Bearer`.
    const bearer = header?.match(/^bearer\s+(.+)$/i)?.[1]?.trim();
    const token = bearer ?? (request.query as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token === '') return false;
    const offered = digest(token);
    return accepted.some((key) => timingSafeEqual(key, offered));
  };
}
