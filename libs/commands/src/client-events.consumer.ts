import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { BusSubscription, MessageBus, consumeContract } from '@iot/bus';
import { DeviceTopics, GatewayClientEvent, GatewayClientEventValue } from '@iot/contracts';
import { topicMatches } from '@iot/mqtt-broker';
import { ROOT_LOGGER } from '@iot/runtime';
import { DeviceDirectory } from './devices/device-directory';
import { MessagesService, messageIdOfTracking } from './messages/messages.service';
import { ShadowService } from './shadow/shadow.service';

/** Connections whose clean start is remembered (for resending device messages); the oldest are forgotten. */
const REMEMBERED_CONNECTIONS = 10_000;

/**
 * The command service's reader of the gateways' client events (one consumer group; per
 * device in order): a device that connects or subscribes gets its pending device messages
 * and its desired properties; the gateway's reports on tracked messages settle them.
 */
@Injectable()
export class ClientEventsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: BusSubscription;
  /** connectionId → whether it started clean, from its `connected` event. */
  private readonly cleanStarts = new Map<string, boolean>();

  constructor(
    private readonly bus: MessageBus,
    private readonly directory: DeviceDirectory,
    private readonly messages: MessagesService,
    private readonly shadows: ShadowService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await consumeContract(this.bus, {
      contract: GatewayClientEvent,
      groupId: 'command-service.client-events',
      logger: this.logger.child({ component: 'client-events' }),
      handle: (event) => this.handle(event),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }

  async handle(event: GatewayClientEventValue): Promise<void> {
    const { projectId, deviceId, connectionId } = event;
    if (deviceId === undefined) return;
    switch (event.type) {
      case 'connected': {
        this.remember(connectionId, event.cleanStart ?? true);
        // A resumed session brings its subscriptions back without subscribe events.
        if (event.cleanStart === false) await this.messages.deliverPending(projectId, deviceId, connectionId, await this.directory.subscriptions(projectId, deviceId), { resend: false });
        await this.shadows.pushDesired(projectId, deviceId);
        return;
      }
      case 'subscribed': {
        if (event.topic === undefined) return;
        await this.messages.deliverPending(projectId, deviceId, connectionId, [event.topic], { resend: this.cleanStarts.get(connectionId) === true });
        if (topicMatches(event.topic, DeviceTopics.propertiesSet(deviceId, 'any'))) await this.shadows.pushDesired(projectId, deviceId);
        return;
      }
      case 'disconnected':
        this.cleanStarts.delete(connectionId);
        return;
      case 'delivered':
      case 'dropped': {
        const messageId = event.trackingId !== undefined ? messageIdOfTracking(event.trackingId) : undefined;
        if (messageId === undefined) return;
        await this.messages.tracked(projectId, deviceId, messageId, event.type === 'delivered' ? { delivered: true } : { delivered: false, reason: event.reason ?? 'dropped by the gateway' });
        return;
      }
    }
  }

  private remember(connectionId: string, cleanStart: boolean): void {
    this.cleanStarts.set(connectionId, cleanStart);
    if (this.cleanStarts.size > REMEMBERED_CONNECTIONS) this.cleanStarts.delete(this.cleanStarts.keys().next().value!);
  }
}
