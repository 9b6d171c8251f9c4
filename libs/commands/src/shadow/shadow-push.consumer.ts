import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { BusSubscription, MessageBus, consumeContract } from '@iot/bus';
import { DeviceTopics, GatewayClientEvent } from '@iot/contracts';
import { topicMatches } from '@iot/mqtt-broker';
import { ROOT_LOGGER } from '@iot/runtime';
import { ShadowService } from './shadow.service';

/**
 * Pushes a device's desired properties when it can take them: when it connects, and when it
 * subscribes to a filter covering its properties/set topic (a device that subscribes only
 * after connecting would miss the first push). From the gateways' client events.
 */
@Injectable()
export class ShadowPushConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: BusSubscription;

  constructor(
    private readonly bus: MessageBus,
    private readonly shadows: ShadowService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await consumeContract(this.bus, {
      contract: GatewayClientEvent,
      groupId: 'command-service.shadow-push',
      logger: this.logger.child({ component: 'shadow-push' }),
      handle: async (event) => {
        const deviceId = event.deviceId;
        if (deviceId === undefined) return;
        const canTake = event.type === 'connected' || (event.type === 'subscribed' && event.topic !== undefined && topicMatches(event.topic, DeviceTopics.propertiesSet(deviceId, 'any')));
        if (canTake) await this.shadows.pushDesired(event.projectId, deviceId);
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }
}
