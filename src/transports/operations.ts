import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { AdmissionStatus } from '../session/admission.ts';

/** What the operations routes read: readiness of every dependency, admission, and the metrics. */
export interface OperationsDeps {
  readiness(): { ready: boolean; checks: Record<string, unknown> };
  /** Whether new sessions are taken (not while draining or shedding load). */
  admission: { status(): AdmissionStatus };
  metrics: GatewayMetrics;
}

/** Readiness with admission beside the dependencies: a gateway that refuses new sessions is not ready for them. */
function readinessWithAdmission(deps: OperationsDeps) {
  const readiness = deps.readiness();
  const admission = deps.admission.status();
  return { ...readiness, ready: readiness.ready && admission.admitting, admission };
}

/** `/health` (the process answers), `/ready` (every dependency is usable) and `/metrics` (Prometheus). */
export function operations(deps: OperationsDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/health', async () => ({ status: 'ok' }));

    app.get('/ready', async (_request, reply) => {
      const readiness = readinessWithAdmission(deps);
      return reply.code(readiness.ready ? 200 : 503).send(readiness);
    });

    app.get('/metrics', async (request, reply) => {
      const { contentType, body } = await deps.metrics.render(request.headers.accept);
      return reply.type(contentType).send(body);
    });
  };
}
