import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { RegistryError } from '../registry.errors';
import { REGISTRY_OPTIONS, RegistryOptions } from '../registry.options';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** The token of `Authorization: Bearer <token>`, if the request carries one. */
export function bearerTokenOf(request: Request): string | undefined {
  return /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
}

/** Admits requests bearing the operator key (`Authorization: Bearer <IOT_OPERATOR_KEY>`). */
@Injectable()
export class OperatorKeyGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(REGISTRY_OPTIONS) options: RegistryOptions) {
    this.expected = options.operatorKey ? digest(options.operatorKey) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) {
      throw new RegistryError('OPERATOR_KEY_NOT_CONFIGURED', 'operator endpoints are disabled: IOT_OPERATOR_KEY is not set');
    }
    const token = bearerTokenOf(context.switchToHttp().getRequest<Request>());
    if (token === undefined || !this.isOperatorKey(token)) {
      throw new RegistryError('UNAUTHENTICATED', 'a valid operator key is required (Authorization: Bearer <key>)');
    }
    return true;
  }

  /** Whether `token` is the operator key (digests compared: equal length, constant time). */
  isOperatorKey(token: string): boolean {
    return this.expected !== undefined && timingSafeEqual(digest(token), this.expected);
  }
}
