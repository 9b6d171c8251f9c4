import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse } from '@nestjs/swagger';
import { ProjectEndpoints } from '@iot/runtime';
import { DeviceShadowDto, SetDesiredDto } from './dto/shadow.dto';
import { ShadowService } from './shadow.service';

@ProjectEndpoints('shadow')
@ApiNotFoundResponse({ description: 'DEVICE_NOT_FOUND' })
@Controller('projects/:projectId/devices/:deviceId/shadow')
export class ShadowController {
  constructor(private readonly shadows: ShadowService) {}

  @Get()
  @ApiOkResponse({ type: DeviceShadowDto, description: 'Reported and desired properties by service, also while the device is offline' })
  get(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string): Promise<DeviceShadowDto> {
    return this.shadows.get(projectId, deviceId);
  }

  @Put()
  @ApiOkResponse({ type: DeviceShadowDto, description: 'Desired properties merged in; pushed to the device now if it is online, else when it connects' })
  @ApiBadRequestResponse({ description: 'INVALID_COMMAND or a bad field: unknown service or property, read-only property, wrong value' })
  setDesired(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string, @Body() dto: SetDesiredDto): Promise<DeviceShadowDto> {
    return this.shadows.setDesired(projectId, deviceId, dto);
  }
}
