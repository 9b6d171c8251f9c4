import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { BusSubscription, MessageBus, PermanentRecordError, consumeContract } from '@iot/bus';
import { GatewayCommand } from '@iot/contracts';
import { ROOT_LOGGER } from '@iot/runtime';
import { MqttServer } from '../mqtt/mqtt-server';
import { ClientCommands } from './client-commands';

/**
 * Consumes `gateway.command.v1`: one consumer group for the whole cluster, so each command
 * runs once, on whichever node took it; ClientCommands finds the node holding the client.
 */
@Injectable()
export class GatewayCommandsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: BusSubscription;
  readonly commands: ClientCommands;

  constructor(
    private readonly bus: MessageBus,
    server: MqttServer,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.commands = new ClientCommands(server.broker, server.clusterNode?.cluster);
    // A draining node takes no more commands: the others, or its successor, will.
    server.onDrain(() => this.stop());
  }

  async onApplicationBootstrap(): Promise<void> {
    const logger = this.logger.child({ component: 'gateway-commands' });
    this.subscription = await consumeContract(this.bus, {
      contract: GatewayCommand,
      groupId: 'mqtt-gateway.commands',
      logger,
      handle: async (command) => {
        const outcome = await this.commands.apply(command);
        if (outcome === 'invalid') throw new PermanentRecordError(`invalid ${command.action}: topic or filter is not valid MQTT`);
        logger.debug({ action: command.action, projectId: command.projectId, clientId: command.clientId, outcome }, 'gateway command applied');
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }
}
