import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { OperatorKey, bearerTokenOf } from '@iot/runtime';
import { RegistryError } from '../registry.errors';
import { REGISTRY_OPTIONS, RegistryOptions } from '../registry.options';

/** Admits requests bearing the operator key (`Authorization: Bearer <IOT_OPERATOR_KEY>`). */
@Injectable()
export class OperatorKeyGuard implements CanActivate {
  private readonly operator: OperatorKey;

  constructor(@Inject(REGISTRY_OPTIONS) options: RegistryOptions) {
    this.operator = new OperatorKey(options.operatorKey);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.operator.configured) {
      throw new RegistryError('OPERATOR_KEY_NOT_CONFIGURED', 'operator endpoints are disabled: IOT_OPERATOR_KEY is not set');
    }
    if (!this.operator.matches(bearerTokenOf(context.switchToHttp().getRequest<Request>()))) {
      throw new RegistryError('UNAUTHENTICATED', 'a valid operator key is required (Authorization: Bearer <key>)');
    }
    return true;
  }
}
