import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse } from '@nestjs/swagger';
import { ProjectEndpoints } from '@iot/runtime';
import { MessageDto, MessageListDto, MessageListQuery, SendMessageDto } from './dto/message.dto';
import { MessagesService } from './messages.service';

@ProjectEndpoints('messages')
@ApiNotFoundResponse({ description: 'DEVICE_NOT_FOUND, MESSAGE_NOT_FOUND' })
@Controller('projects/:projectId/devices/:deviceId/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Post()
  @ApiCreatedResponse({ type: MessageDto, description: 'Accepted: sent at once when the device is online and subscribed, otherwise kept (PENDING) until it is, or until its TTL passes' })
  @ApiBadRequestResponse({ description: 'A bad field, named' })
  @ApiConflictResponse({ description: 'MESSAGE_EXISTS: the device already has a message with this id' })
  send(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string, @Body() dto: SendMessageDto): Promise<MessageDto> {
    return this.messages.send(projectId, deviceId, dto);
  }

  @Get()
  @ApiOkResponse({ type: MessageListDto })
  async list(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string, @Query() query: MessageListQuery): Promise<MessageListDto> {
    return { items: await this.messages.list(projectId, deviceId, query.limit) };
  }

  @Get(':messageId')
  @ApiOkResponse({ type: MessageDto })
  get(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string, @Param('messageId') messageId: string): Promise<MessageDto> {
    return this.messages.get(projectId, deviceId, messageId);
  }
}
