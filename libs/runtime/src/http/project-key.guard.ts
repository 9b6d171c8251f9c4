import { CanActivate, ExecutionContext, Inject, Injectable, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { apiKeyEntryKey, decodeApiKeyEntry, prefixOf, tokenMatches } from '@iot/contracts';
import { StateStore } from '@iot/state-store';
import { DomainError } from './domain-error';

/** Options of ProjectKeyGuard in a service: the operator key from its configuration. */
export interface ApiAccessOptions {
  operatorKey?: string;
}

export const API_ACCESS_OPTIONS = Symbol('API_ACCESS_OPTIONS');

/** Refusals of ProjectKeyGuard. */
export class ApiAccessError extends DomainError {
  constructor(code: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string, details?: Record<string, unknown>) {
    super(code, code === 'UNAUTHENTICATED' ? 'unauthenticated' : 'forbidden', message, details);
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** The operator key of a service's configuration, compared by digest: equal length, constant time. */
export class OperatorKey {
  private readonly expected?: Buffer;

  constructor(key: string | undefined) {
    this.expected = key ? digest(key) : undefined;
  }

  get configured(): boolean {
    return this.expected !== undefined;
  }

  matches(token: string | undefined): boolean {
    return token !== undefined && this.expected !== undefined && timingSafeEqual(digest(token), this.expected);
  }
}

/** The token of `Authorization: Bearer <token>`, if the request carries one. */
export const bearerTokenOf = (request: Request): string | undefined => /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];

/**
 * Admits a request to `/projects/:projectId/...` bearing the operator key or a live API key
 * of that very project, for services other than the device registry: keys are checked
 * against the registry's view of live keys in the shared state store (ApiKeyEntry), so a
 * revoked key stops working everywhere at once. A key of another project gets 403.
 */
@Injectable()
export class ProjectKeyGuard implements CanActivate {
  private readonly operator: OperatorKey;

  constructor(
    private readonly state: StateStore,
    @Inject(API_ACCESS_OPTIONS) options: ApiAccessOptions,
  ) {
    this.operator = new OperatorKey(options.operatorKey);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const token = bearerTokenOf(request);
    if (this.operator.matches(token)) return true;
    const prefix = token === undefined ? undefined : prefixOf(token);
    const stored = prefix === undefined ? null : await this.state.get(apiKeyEntryKey(prefix));
    const entry = stored === null ? undefined : decodeApiKeyEntry(stored);
    if (!entry || !tokenMatches(token!, entry.digest)) {
      throw new ApiAccessError('UNAUTHENTICATED', 'a valid API key of this project or the operator key is required (Authorization: Bearer <key>)');
    }
    const projectId = request.params.projectId;
    if (entry.projectId !== projectId) throw new ApiAccessError('FORBIDDEN', `this API key belongs to another project than ${projectId}`, { projectId });
    return true;
  }
}

/**
 * A controller of project endpoints (`/projects/:projectId/...`): guarded by ProjectKeyGuard
 * and documented as such under `tag`.
 */
export const ProjectEndpoints = (tag: string) =>
  applyDecorators(
    ApiTags(tag),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing or wrong key' }),
    ApiForbiddenResponse({ description: 'An API key of another project' }),
    UseGuards(ProjectKeyGuard),
  );
