import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Server } from 'node:net';
import type { Logger } from 'pino';
import { Broker, defaultHooks, listenTcp } from '@iot/mqtt-broker';
import { ROOT_LOGGER } from '@iot/runtime';
import { GATEWAY_OPTIONS, GatewayOptions } from '../gateway.options';

/**
 * The broker core of this gateway node and its listeners. Until the registry enforcement
 * lands, clients are admitted only when anonymous access is configured (`MQTT_ALLOW_ANONYMOUS`),
 * into the `default` project.
 */
@Injectable()
export class MqttServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly broker: Broker;
  private tcp?: Server;

  constructor(
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    const mqtt = options.mqtt;
    this.broker = new Broker({
      maxKeepAlive: mqtt.maxKeepAlive,
      maxPacketSize: mqtt.maxPacketSize,
      receiveMaximum: mqtt.maxInflight,
      maxQueuedMessages: mqtt.maxQueuedMessages,
      hooks: defaultHooks({ allowAnonymous: mqtt.allowAnonymous }),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = this.options.mqtt;
    if (port === 0) return;
    this.tcp = await listenTcp(this.broker, port, host);
    this.logger.info({ mqtt: { port, host } }, `MQTT on tcp://${host}:${port}`);
  }

  /** Stop accepting, tell 5.0 clients the server is shutting down (0x8B), close the rest. */
  async beforeApplicationShutdown(): Promise<void> {
    this.tcp?.close();
    this.broker.close();
  }
}
