import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../observability/metrics.ts';

/** What the operations routes read: readiness of every dependency, and the metrics. */
export interface OperationsDeps {
  readiness(): { ready: boolean; checks: Record<string, unknown> };
  metrics: GatewayMetrics;
}

/** `/health` (the process answers), `/ready` (every dependency is usable) and `/metrics` (Prometheus). */
export function operations(deps: OperationsDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/health', async () => ({ status: 'ok' }));

    app.get('/ready', async (_request, reply) => {
      const readiness = deps.readiness();
      return reply.code(readiness.ready ? 200 : 503).send(readiness);
    });

    app.get('/metrics', async (request, reply) => {
      const { contentType, body } = await deps.metrics.render(request.headers.accept);
      return reply.type(contentType).send(body);
    });
  };
}
