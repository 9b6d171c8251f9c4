import { Controller, Delete, Get, HttpCode, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { PageQuery } from '@iot/runtime';
import { ProjectAccessGuard } from '../auth/project-access.guard';
import { ConnectionHistoryPageDto, DeviceStatusDto } from './dto/presence.dto';
import { PresenceService } from './presence.service';

@ApiTags('presence')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or wrong key' })
@ApiForbiddenResponse({ description: 'An API key of another project' })
@UseGuards(ProjectAccessGuard)
@Controller('projects/:projectId/devices/:deviceId')
export class PresenceController {
  constructor(private readonly presence: PresenceService) {}

  @Get('status')
  @ApiOkResponse({ type: DeviceStatusDto })
  @ApiNotFoundResponse({ description: 'No such device' })
  status(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string): Promise<DeviceStatusDto> {
    return this.presence.status(projectId, deviceId);
  }

  @Get('connection-history')
  @ApiOkResponse({ type: ConnectionHistoryPageDto })
  @ApiNotFoundResponse({ description: 'No such device' })
  history(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string, @Query() query: PageQuery): Promise<ConnectionHistoryPageDto> {
    return this.presence.history(projectId, deviceId, query);
  }

  @Delete('connection')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The device is being disconnected (5.0 clients get reason 0x98)' })
  @ApiNotFoundResponse({ description: 'No such device, or it is not connected (DEVICE_OFFLINE)' })
  kick(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string): Promise<void> {
    return this.presence.kick(projectId, deviceId);
  }
}
