import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../logging/root-logger';
import { DomainError, HTTP_STATUS_OF } from './domain-error';

/** One error body for every endpoint: `{statusCode, error, message, ...details}`; never leaks internals. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof DomainError) {
      const statusCode = HTTP_STATUS_OF[exception.kind];
      response.status(statusCode).json({ statusCode, error: exception.code, message: exception.message, ...exception.details });
      return;
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const body = exception.getResponse();
      response.status(statusCode).json(typeof body === 'string' ? { statusCode, error: exception.name, message: body } : body);
      return;
    }
    // The body parser's own refusals (a body too large, not JSON) are the client's: 4xx, not 500.
    const parserStatus = (exception as { status?: unknown; type?: unknown } | null)?.status;
    if (typeof parserStatus === 'number' && parserStatus >= 400 && parserStatus < 500 && typeof (exception as { type?: unknown }).type === 'string') {
      const code = parserStatus === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
      response.status(parserStatus).json({ statusCode: parserStatus, error: code, message: (exception as Error).message });
      return;
    }
    this.logger.error({ err: exception }, 'unhandled error');
    response.status(500).json({ statusCode: 500, error: 'INTERNAL', message: 'Internal server error' });
  }
}
