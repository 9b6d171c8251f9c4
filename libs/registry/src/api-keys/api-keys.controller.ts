import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse } from '@nestjs/swagger';
import { OperatorEndpoints } from '../auth/operator-endpoints';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyListDto, CreateApiKeyDto, IssuedApiKeyDto } from './dto/api-key.dto';

@OperatorEndpoints('api-keys')
@Controller('projects/:projectId/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiCreatedResponse({ type: IssuedApiKeyDto, description: 'The key, in `key`, is shown this once' })
  @ApiNotFoundResponse({ description: 'No such project' })
  issue(@Param('projectId') projectId: string, @Body() dto: CreateApiKeyDto): Promise<IssuedApiKeyDto> {
    return this.keys.issue(projectId, dto);
  }

  @Get()
  @ApiOkResponse({ type: ApiKeyListDto, description: 'The project’s live keys (never the keys themselves)' })
  @ApiNotFoundResponse({ description: 'No such project' })
  async list(@Param('projectId') projectId: string): Promise<ApiKeyListDto> {
    return { items: await this.keys.list(projectId) };
  }

  @Delete(':keyId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked: requests bearing it are refused from now on' })
  @ApiNotFoundResponse({ description: 'No such live key in this project' })
  revoke(@Param('projectId') projectId: string, @Param('keyId') keyId: string): Promise<void> {
    return this.keys.revoke(projectId, keyId);
  }
}
