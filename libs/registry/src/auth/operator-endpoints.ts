import { UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { OperatorKeyGuard } from './operator-key.guard';

/** A controller of operator endpoints: guarded by OperatorKeyGuard and documented as such under `tag`. */
export const OperatorEndpoints = (tag: string) =>
  applyDecorators(ApiTags(tag), ApiBearerAuth(), ApiUnauthorizedResponse({ description: 'Missing or wrong operator key' }), UseGuards(OperatorKeyGuard));
