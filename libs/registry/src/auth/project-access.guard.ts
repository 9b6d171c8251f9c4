import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { RegistryError } from '../registry.errors';
import { OperatorKeyGuard, bearerTokenOf } from './operator-key.guard';

/**
 * Admits a request to `/projects/:projectId/...` bearing the operator key or an API key of
 * that very project. A key of another project is refused (403): projects never see each other.
 */
@Injectable()
export class ProjectAccessGuard implements CanActivate {
  constructor(
    private readonly operator: OperatorKeyGuard,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const token = bearerTokenOf(request);
    if (token !== undefined && this.operator.isOperatorKey(token)) return true;
    const key = token === undefined ? undefined : await this.keys.authenticate(token);
    if (!key) throw new RegistryError('UNAUTHENTICATED', 'a valid API key of this project or the operator key is required (Authorization: Bearer <key>)');
    const projectId = request.params.projectId;
    if (key.projectId !== projectId) {
      throw new RegistryError('FORBIDDEN', `this API key belongs to another project than ${projectId}`, { projectId });
    }
    return true;
  }
}
