import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { GATEWAY_STATS_KEY, GatewayNodeStats, encodeGatewayNodeStats } from '@iot/contracts';
import { ROOT_LOGGER, RUNTIME_CONFIG, RuntimeConfig } from '@iot/runtime';
import { StateStore } from '@iot/state-store';
import { GATEWAY_OPTIONS, GatewayOptions } from '../gateway.options';
import { MqttServer } from '../mqtt/mqtt-server';
import { nodeStatsOf } from './node-stats';

/**
 * Writes this node's statistics (GatewayNodeStats) to the shared state store every
 * MQTT_STATS_INTERVAL_MS, where the registry's stats endpoints read every node's. A node that
 * stops removes its entry; one that dies leaves it to go stale (three missed reports).
 */
@Injectable()
export class NodeStatsReporter implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private readonly node: string;
  private readonly intervalMs: number;

  constructor(
    private readonly server: MqttServer,
    private readonly state: StateStore,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
    @Inject(RUNTIME_CONFIG) runtime: RuntimeConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.node = runtime.nodeId;
    this.intervalMs = options.statsIntervalMs;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.report().catch((error: Error) => this.failed(error));
    this.timer = setInterval(() => void this.report().catch((error: Error) => this.failed(error)), this.intervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.state.hashDelete(GATEWAY_STATS_KEY, this.node).catch((error: Error) => this.failed(error));
  }

  /** This node's figures now. */
  async snapshot(): Promise<GatewayNodeStats> {
    const broker = this.server.broker;
    return nodeStatsOf({
      node: this.node,
      intervalMs: this.intervalMs,
      now: new Date(),
      stats: broker.stats,
      occupancy: broker.occupancy(),
      clusterFilters: this.server.clusterNode?.cluster.filtersByProject(),
      retained: await broker.retained.countByProject(),
    });
  }

  private async report(): Promise<void> {
    await this.state.hashSet(GATEWAY_STATS_KEY, { [this.node]: encodeGatewayNodeStats(await this.snapshot()) });
  }

  private failed(error: Error): void {
    this.logger.warn({ err: error }, 'gateway statistics could not be written');
  }
}
