import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBadRequestResponse, ApiConflictResponse, ApiGatewayTimeoutResponse, ApiNotFoundResponse, ApiOkResponse } from '@nestjs/swagger';
import { ProjectEndpoints } from '@iot/runtime';
import { GetPropertiesQuery, PropertiesGetResultDto, PropertiesSetResultDto, SetPropertiesDto } from './dto/properties.dto';
import { PropertiesService } from './properties.service';

@ProjectEndpoints('properties')
@ApiNotFoundResponse({ description: 'DEVICE_NOT_FOUND' })
@ApiConflictResponse({ description: 'DEVICE_OFFLINE or DEVICE_DISABLED, with command_id (nothing was sent)' })
@ApiGatewayTimeoutResponse({ description: 'COMMAND_TIMEOUT: no answer in time, with command_id' })
@ApiBadGatewayResponse({ description: 'INVALID_RESPONSE: the device answered with no JSON object, with command_id' })
@Controller('projects/:projectId/devices/:deviceId/properties')
export class PropertiesController {
  constructor(private readonly properties: PropertiesService) {}

  @Put()
  @ApiOkResponse({ type: PropertiesSetResultDto, description: 'The device applied the write (properties/set) and answered' })
  @ApiBadRequestResponse({ description: 'INVALID_COMMAND or a bad field: unknown service or property, read-only property, wrong value' })
  set(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string, @Body() dto: SetPropertiesDto): Promise<PropertiesSetResultDto> {
    return this.properties.set(projectId, deviceId, dto);
  }

  @Get()
  @ApiOkResponse({ type: PropertiesGetResultDto, description: 'The device read its properties (properties/get) and answered' })
  @ApiBadRequestResponse({ description: 'service_id is not a service of the product' })
  get(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string, @Query() query: GetPropertiesQuery): Promise<PropertiesGetResultDto> {
    return this.properties.get(projectId, deviceId, query);
  }
}
