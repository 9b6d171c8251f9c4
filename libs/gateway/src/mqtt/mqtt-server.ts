import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { Broker, defaultHooks, listenTcp, listenTls, listenWebSocket } from '@iot/mqtt-broker';
import { ROOT_LOGGER } from '@iot/runtime';
import { StateStore } from '@iot/state-store';
import { GATEWAY_OPTIONS, GatewayOptions, describeListeners } from '../gateway.options';
import { StateRetainedStore } from '../storage/state-retained-store';

/**
 * The broker core of this gateway node and its listeners (TCP, TLS, WebSocket, WSS).
 * Until the registry enforcement lands, clients are admitted only when anonymous access is
 * configured (`MQTT_ALLOW_ANONYMOUS`), into the `default` project. Retained messages live
 * in the StateStore (Redis in a cluster: every node sees them); sessions stay in this node's
 * memory until cross-node take-over exists (a shared SessionStore needs it to be safe).
 */
@Injectable()
export class MqttServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly broker: Broker;
  private readonly servers: { close(): unknown }[] = [];

  constructor(
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    state: StateStore,
  ) {
    const mqtt = options.mqtt;
    const hooks = defaultHooks({ allowAnonymous: mqtt.allowAnonymous });
    hooks.onStoreError = (error, doing) => this.logger.warn({ err: error }, `MQTT store failed while ${doing}`);
    this.broker = new Broker({
      retainedStore: new StateRetainedStore(state),
      maxKeepAlive: mqtt.maxKeepAlive,
      maxPacketSize: mqtt.maxPacketSize,
      receiveMaximum: mqtt.maxInflight,
      maxQueuedMessages: mqtt.maxQueuedMessages,
      hooks,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { host, port, tlsPort, wsPort, wssPort, wsPath, tls } = this.options.mqtt;
    if (port) this.servers.push(await listenTcp(this.broker, port, host));
    if (tls && tlsPort) this.servers.push(await listenTls(this.broker, tlsPort, host, tls));
    if (wsPort) this.servers.push(await listenWebSocket(this.broker, wsPort, host, { path: wsPath }));
    if (tls && wssPort) this.servers.push(await listenWebSocket(this.broker, wssPort, host, { path: wsPath, tls }));
    this.logger.info({ mqtt: { host, port, tlsPort, wsPort, wssPort } }, describeListeners(this.options).join('; '));
  }

  /** Stop accepting, tell 5.0 clients the server is shutting down (0x8B), close the rest. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const server of this.servers) server.close();
    this.broker.close();
  }
}
