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
    this.logger.error({ err: exception }, 'unhandled error');
    response.status(500).json({ statusCode: 500, error: 'INTERNAL', message: 'Internal server error' });
  }
}
