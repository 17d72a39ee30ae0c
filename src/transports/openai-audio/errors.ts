import type { FastifyReply } from 'fastify';
import type { GatewayError } from '../../core/errors.ts';
import { ERROR_CODES } from '../../core/errors.ts';
import { httpStatus } from '../speech-api/http-status.ts';

/** OpenAI's error body: `type` is its error class, `code` the gateway's error code. */
export interface OpenAiError {
  error: { message: string; type: string; code: string; param: string | null };
}

function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status < 500) return 'invalid_request_error';
  return status === 503 ? 'service_unavailable_error' : 'server_error';
}

export function openAiError(error: GatewayError, status = httpStatus(error)): OpenAiError {
  return { error: { message: error.publicMessage, type: errorType(status), code: error.code, param: null } };
}

export function sendOpenAiError(reply: FastifyReply, error: GatewayError): FastifyReply {
  const status = httpStatus(error);
  if (ERROR_CODES[error.code].retryable && status >= 500) reply.header('retry-after', '1');
  return reply.code(status).send(openAiError(error, status));
}

export function sendUnauthorized(reply: FastifyReply): FastifyReply {
  return reply.send({ error: { message: 'a valid API key is required', type: 'authentication_error', code: 'invalid_api_key', param: null } });
}
