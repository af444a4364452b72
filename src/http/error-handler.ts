import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ERRORS, YeyakError, type ErrorCode } from '../errors.ts';
import { isDatabaseUnavailable } from '../infra/db/database-errors.ts';

/** Writes the one error shape of API.md: `{error: {code, message, details?}}`, and any fields the contract puts beside it. */
export function sendError(reply: FastifyReply, error: YeyakError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  const body: { error: { code: string; message: string; details?: Record<string, unknown> } } = {
    ...error.topLevel,
    error: { code: error.code, message: error.message },
  };
  if (error.details) body.error.details = error.details;
  return reply.code(error.status).type('application/json; charset=utf-8').send(body);
}

/** Fastify's own errors for bad input, mapped to our codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'YEYAK_ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'YEYAK_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'YEYAK_ERR_VALIDATION',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'YEYAK_ERR_MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'YEYAK_ERR_MALFORMED_JSON',
};

function toYeyakError(error: FastifyError): YeyakError | null {
  if (error instanceof YeyakError) return error;
  if (error.validation) {
    const problems = error.validation.slice(0, 10).map((v) => `${error.validationContext ?? ''}${v.instancePath} ${v.message ?? ''}`.trim());
    return new YeyakError('YEYAK_ERR_VALIDATION', { details: { problems } });
  }
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped) return new YeyakError(mapped);
  if (error instanceof SyntaxError) return new YeyakError('YEYAK_ERR_MALFORMED_JSON');
  const status = error.statusCode ?? 500;
  if (status === 405) return new YeyakError('YEYAK_ERR_METHOD_NOT_ALLOWED');
  if (status >= 400 && status < 500) return new YeyakError('YEYAK_ERR_VALIDATION', { message: ERRORS.YEYAK_ERR_VALIDATION.message });
  return null;
}

/** One error handler: coded errors go out as they are; anything else is a hidden 500. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = toYeyakError(error);
    if (known) {
      if (known.status >= 500) request.log.error({ err: error }, 'request failed');
      return sendError(reply, known);
    }
    // The database cut off or refusing (a failover, a restart): the client retries, nothing was lost.
    if (isDatabaseUnavailable(error)) {
      request.log.error({ err: error }, 'database unavailable');
      return sendError(reply, new YeyakError('YEYAK_ERR_UNAVAILABLE', { retryAfterSeconds: 2 }));
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendError(reply, new YeyakError('YEYAK_ERR_INTERNAL'));
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, new YeyakError('YEYAK_ERR_NOT_FOUND')));
}
