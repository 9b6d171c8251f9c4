import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse } from '@nestjs/swagger';
import { PageQuery, ProjectEndpoints } from '@iot/runtime';
import { ConnectionHistoryPageDto, DeviceStatusDto } from './dto/presence.dto';
import { AddSubscriptionDto, SubscriptionDto, SubscriptionListDto } from './dto/subscription.dto';
import { PresenceService } from './presence.service';
import { SubscriptionsService } from './subscriptions.service';

@ProjectEndpoints('presence')
@Controller('projects/:projectId/devices/:deviceId')
export class PresenceController {
  constructor(
    private readonly presence: PresenceService,
    private readonly subscriptions: SubscriptionsService,
  ) {}

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

  @Get('subscriptions')
  @ApiOkResponse({ type: SubscriptionListDto, description: 'The subscriptions of the device’s session' })
  @ApiNotFoundResponse({ description: 'No such device' })
  async listSubscriptions(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string): Promise<SubscriptionListDto> {
    return { items: await this.subscriptions.list(projectId, deviceId) };
  }

  @Post('subscriptions')
  @ApiCreatedResponse({ type: SubscriptionDto, description: 'Subscribed on whichever node holds the session (also a disconnected persistent one)' })
  @ApiBadRequestResponse({ description: 'Not a valid topic filter or QoS' })
  @ApiNotFoundResponse({ description: 'No such device, or it never connected (DEVICE_NEVER_CONNECTED)' })
  addSubscription(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string, @Body() dto: AddSubscriptionDto): Promise<SubscriptionDto> {
    return this.subscriptions.add(projectId, deviceId, dto);
  }

  @Delete('subscriptions/:topic')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Unsubscribed' })
  @ApiNotFoundResponse({ description: 'No such device or subscription (the topic is URL-encoded)' })
  removeSubscription(@Param('projectId') projectId: string, @Param('deviceId') deviceId: string, @Param('topic') topic: string): Promise<void> {
    return this.subscriptions.remove(projectId, deviceId, topic);
  }
}
