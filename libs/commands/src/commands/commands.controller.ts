import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBadRequestResponse, ApiConflictResponse, ApiGatewayTimeoutResponse, ApiNotFoundResponse, ApiOkResponse } from '@nestjs/swagger';
import { ProjectEndpoints } from '@iot/runtime';
import { CommandsService } from './commands.service';
import { CommandResultDto, SendCommandDto } from './dto/command.dto';

@ProjectEndpoints('commands')
@Controller('projects/:projectId/devices/:deviceId/commands')
export class CommandsController {
  constructor(private readonly commands: CommandsService) {}

  @Post()
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResultDto, description: 'The device answered (within timeout_ms)' })
  @ApiBadRequestResponse({ description: 'INVALID_COMMAND or a bad field: each offending field named (service, command, parameters against the thing model)' })
  @ApiNotFoundResponse({ description: 'DEVICE_NOT_FOUND' })
  @ApiConflictResponse({ description: 'DEVICE_OFFLINE or DEVICE_DISABLED, with command_id (nothing was sent)' })
  @ApiGatewayTimeoutResponse({ description: 'COMMAND_TIMEOUT: no answer in time, with command_id' })
  @ApiBadGatewayResponse({ description: 'INVALID_RESPONSE: the device answered with no JSON object, with command_id' })
  send(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string, @Body() dto: SendCommandDto): Promise<CommandResultDto> {
    return this.commands.send(projectId, deviceId, dto);
  }
}
