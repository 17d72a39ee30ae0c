import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { TransportDeps } from '../deps.ts';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/**
 * The OpenAPI 3.1 document of every HTTP route, generated from the routes' schemas (`/openapi.json`), and a
 * browsable page of it (`/docs`). Registered before the transports: it collects their routes as they are added.
 * Both need the API key like every route but the operations ones (a browser passes it as `?token=`).
 */
export async function openApi(app: FastifyInstance, deps: Pick<TransportDeps, 'keyCheck'> & { version: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 's2s-gateway',
        version: deps.version,
        description: 'Speech-to-speech voice gateway: OpenAI-compatible audio API, seed-system APIs, operations. WebSocket routes are listed as their upgrade requests.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(async (docs) => {
    docs.addHook('onRequest', async (request, reply) => {
      if (deps.keyCheck && !deps.keyCheck(request)) {
        await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'a valid API key is required' });
        return reply;
      }
      return undefined;
    });
    docs.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
    await docs.register(swaggerUi, { routePrefix: DOCS_PATH, uiConfig: { deepLinking: true } });
  });
}
