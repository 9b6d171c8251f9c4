import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
} from '@nestjs/swagger';
import { ProjectEndpoints } from '@iot/runtime';
import { DevicesService } from './devices.service';
import { CredentialsDto, SetCredentialsDto } from './dto/credentials.dto';
import { CreateDeviceDto, DeviceDto, DevicePageDto, ListDevicesQuery, UpdateDeviceDto } from './dto/device.dto';

@ProjectEndpoints('devices')
@ApiBadRequestResponse({ description: 'Bad input: the offending fields are named' })
@Controller('projects/:projectId/devices')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Post()
  @ApiCreatedResponse({ type: DeviceDto })
  @ApiConflictResponse({ description: 'The id is taken in this project, or the username anywhere (DEVICE_EXISTS, USERNAME_TAKEN)' })
  create(@Param('projectId') projectId: string, @Body() dto: CreateDeviceDto): Promise<DeviceDto> {
    return this.devices.create(projectId, dto);
  }

  @Get()
  @ApiOkResponse({ type: DevicePageDto })
  list(@Param('projectId') projectId: string, @Query() query: ListDevicesQuery): Promise<DevicePageDto> {
    return this.devices.list(projectId, query);
  }

  @Get(':deviceId')
  @ApiOkResponse({ type: DeviceDto })
  @ApiNotFoundResponse()
  get(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string): Promise<DeviceDto> {
    return this.devices.get(projectId, deviceId);
  }

  @Patch(':deviceId')
  @ApiOkResponse({ type: DeviceDto })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The username is taken (USERNAME_TAKEN)' })
  update(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string, @Body() dto: UpdateDeviceDto): Promise<DeviceDto> {
    return this.devices.update(projectId, deviceId, dto);
  }

  @Delete(':deviceId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted; a connected device is disconnected' })
  @ApiNotFoundResponse()
  delete(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string): Promise<void> {
    return this.devices.delete(projectId, deviceId);
  }

  @Put(':deviceId/credentials')
  @ApiOkResponse({ type: CredentialsDto, description: 'A generated password is in `password`, shown this once' })
  @ApiNotFoundResponse()
  setCredentials(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string, @Body() dto: SetCredentialsDto): Promise<CredentialsDto> {
    return this.devices.setCredentials(projectId, deviceId, dto);
  }
}
