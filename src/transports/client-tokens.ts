import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiKeys } from './auth.ts';

export const CLIENT_TOKENS_PATH = '/v1/client-tokens';

const requestSchema = z.strictObject({ ttl_s: z.number().int().min(10).optional() }).optional();

/**
 * `POST /v1/client-tokens`: a short-lived token for a browser, minted with an API key (in the Authorization
 * header; a client token cannot mint another). The browser connects with it (`?token=`) and never holds the key.
 * A token opens connections until it expires; a session it opened runs on after that.
 */
export function clientTokens(keys: ApiKeys, maxTtlS: number) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post(CLIENT_TOKENS_PATH, async (request, reply) => {
      if (!keys.enabled) {
        return reply.code(400).send({ error: 'tokens_not_needed', message: 'this gateway has no API keys (S2S_API_KEYS): clients connect without a token' });
      }
      const credential = request.headers.authorization === undefined ? undefined : keys.credentialOf(request);
      if (credential?.kind !== 'api_key') {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'minting a client token needs an API key in the Authorization header' });
      }
      const parsed = requestSchema.safeParse(request.body ?? undefined);
      if (!parsed.success) return reply.code(400).send({ error: 'invalid_request', message: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
      const ttlS = Math.min(parsed.data?.ttl_s ?? maxTtlS, maxTtlS);
      const { token, expiresAt } = keys.mint(credential.keyId, ttlS);
      return reply.code(201).header('cache-control', 'no-store').send({ token, expires_at: expiresAt, ttl_s: ttlS });
    });
  };
}
