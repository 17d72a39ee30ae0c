import { GatewayError, type ErrorCode } from '../../core/errors.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_request: 400,
  bad_audio: 400,
  text_too_long: 400,
  empty_text: 400,
  unknown_voice: 400,
  unknown_model: 404,
  audio_too_large: 413,
  audio_too_long: 413,
  unsupported_audio: 415,
  asr_busy: 429,
  model_not_ready: 503,
  shutting_down: 503,
  too_many_sessions: 503,
};

/** The HTTP status a request failing with `error` is answered with (500 for failures of the gateway itself). */
export function httpStatus(error: GatewayError): number {
  return STATUS[error.code] ?? 500;
}

/** Any failure of a request as a GatewayError; multipart's own size error is `audio_too_large`. */
export function requestError(err: unknown, maxUploadBytes: number): GatewayError {
  if ((err as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE') {
    return new GatewayError('audio_too_large', `the file is larger than the ${maxUploadBytes} bytes allowed`);
  }
  if ((err as { code?: unknown }).code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
    return new GatewayError('invalid_request', 'the request must be multipart/form-data');
  }
  return GatewayError.from(err);
}
