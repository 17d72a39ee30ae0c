import type { FastifyInstance } from 'fastify';
import { staticFiles } from './static-files.ts';
import { voicesRoute, type VoicesRouteDeps } from './voices-route.ts';

/** The browser's door: the voice page and client library as files, and the voices the page offers. */
export function webClient(deps: VoicesRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(staticFiles());
    await app.register(voicesRoute(deps));
  };
}
