import type { Context } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayMetrics } from '../../observability/metrics.ts';
import { extractParentFromHeaders, startChildSpan } from '../../observability/tracing.ts';
import type { TransportDeps } from '../deps.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The speech API request's span context: stage spans are its children. */
    apiTrace: Context;
  }
}

export const SPAN_API_REQUEST = 's2s.api.request';

/**
 * For every route of the plugin it is added to: the API key check (answered by `unauthorized`), a request span
 * (child of the client's `traceparent`) and `s2s_api_*` metrics by route when the response has gone.
 */
export function speechApiHooks(
  app: FastifyInstance,
  deps: Pick<TransportDeps, 'keyCheck'> & { metrics: GatewayMetrics },
  unauthorized: (reply: FastifyReply) => unknown,
): void {
  const spans = new WeakMap<FastifyRequest, { end(): void }>();
  app.decorateRequest('apiTrace', undefined as unknown as Context);
  app.addHook('onRequest', async (request, reply) => {
    if (deps.keyCheck && !deps.keyCheck(request)) {
      await unauthorized(reply.code(401).header('www-authenticate', 'Bearer'));
      return reply;
    }
    const route = request.routeOptions.url ?? request.url;
    const { span, context } = startChildSpan(extractParentFromHeaders(request.headers), SPAN_API_REQUEST, { 'http.route': route });
    request.apiTrace = context;
    spans.set(request, span);
    return undefined;
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (span === undefined) return;
    deps.metrics.apiRequest(request.routeOptions.url ?? request.url, reply.statusCode, reply.elapsedTime / 1000, request.apiTrace);
    span.end();
  });
}
