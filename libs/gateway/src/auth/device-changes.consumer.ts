import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { BusSubscription, MessageBus, consumeContract } from '@iot/bus';
import { RegistryDeviceChanged, RegistryDeviceChangedValue } from '@iot/contracts';
import { ROOT_LOGGER, RUNTIME_CONFIG, RuntimeConfig } from '@iot/runtime';
import { MqttServer } from '../mqtt/mqtt-server';

/**
 * Disconnects a device the registry disabled, deleted or gave new credentials (5.0: 0x98);
 * its next CONNECT meets the new state. Every node consumes every change (a group per node)
 * and disconnects the device's clients it holds.
 */
@Injectable()
export class DeviceChangesConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: BusSubscription;

  constructor(
    private readonly bus: MessageBus,
    private readonly server: MqttServer,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    server.onDrain(() => this.stop());
  }

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await consumeContract(this.bus, {
      contract: RegistryDeviceChanged,
      groupId: `mqtt-gateway.device-changes.${this.config.nodeId}`,
      logger: this.logger.child({ component: 'device-changes' }),
      handle: async (change) => void this.apply(change),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  apply(change: RegistryDeviceChangedValue): number {
    const reason = reasonToDisconnect(change);
    if (!reason) return 0;
    // A connection whose login was checked after the change met the new state: it stays
    // (the registry writes the credentials view in the change's transaction).
    const kicked = this.server.broker.kickDevice(change.projectId, change.deviceId, reason, Date.parse(change.occurredAt));
    if (kicked > 0) this.logger.info({ projectId: change.projectId, deviceId: change.deviceId, kicked, reason }, 'device disconnected by a registry change');
    return kicked;
  }

  private async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }
}

function reasonToDisconnect(change: RegistryDeviceChangedValue): string | undefined {
  switch (change.change) {
    case 'deleted':
      return 'the device was deleted';
    case 'credentials':
      return 'the device’s credentials changed';
    case 'updated':
      return change.enabled === false ? 'the device was disabled' : undefined;
    default:
      return undefined;
  }
}
