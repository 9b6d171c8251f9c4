import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { BusSubscription, MessageBus, consumeContract } from '@iot/bus';
import { RegistryProjectChanged, RegistryProjectChangedValue } from '@iot/contracts';
import { ROOT_LOGGER, RUNTIME_CONFIG, RuntimeConfig } from '@iot/runtime';
import { AccessControl } from '../auth/access-control';
import { RegistryCache } from './registry-cache';

export const REGISTRY_CHANGES_METRIC = 'iot_gateway_registry_changes_total';

/**
 * Applies registry changes to the gateway's caches. Every gateway node consumes every
 * change (a consumer group per node), because each node will also hold per-node caches.
 */
@Injectable()
export class RegistryChangesConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: BusSubscription;

  constructor(
    private readonly bus: MessageBus,
    private readonly cache: RegistryCache,
    private readonly accessControl: AccessControl,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @InjectMetric(REGISTRY_CHANGES_METRIC) private readonly applied: Counter<'change'>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await consumeContract(this.bus, {
      contract: RegistryProjectChanged,
      groupId: `mqtt-gateway.registry-changes.${this.config.nodeId}`,
      logger: this.logger.child({ component: 'registry-changes' }),
      handle: (change) => this.apply(change),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }

  async apply(change: RegistryProjectChangedValue): Promise<void> {
    this.accessControl.invalidate(change.projectId);
    await this.cache.invalidateProject(change.projectId);
    this.applied.inc({ change: change.change });
  }
}
