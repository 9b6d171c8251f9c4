import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { Broker, defaultHooks, listenTcp, listenTls, listenWebSocket } from '@iot/mqtt-broker';
import { ROOT_LOGGER, RUNTIME_CONFIG, RuntimeConfig } from '@iot/runtime';
import { RedisStateStore, StateStore } from '@iot/state-store';
import { AccessControl } from '../auth/access-control';
import { DeviceAuthenticator } from '../auth/device-authenticator';
import { ClusterNode } from '../cluster/cluster-node';
import { forwardWindowFor } from '../cluster/forward-flow';
import { GATEWAY_OPTIONS, GatewayOptions, describeListeners } from '../gateway.options';
import { StateRetainedStore } from '../storage/state-retained-store';
import { StateSessionStore } from '../storage/state-session-store';
import { Uplink } from '../uplink/uplink';
import { combineHooks } from './combine-hooks';

/**
 * The broker core of this gateway node and its listeners (TCP, TLS, WebSocket, WSS).
 * Clients authenticate with their device credentials (DeviceAuthenticator); anonymous ones
 * only when `MQTT_ALLOW_ANONYMOUS` is set, into the `default` project. Retained messages live
 * in the StateStore. With Redis (cluster mode) the node joins the gateway cluster: sessions
 * in Redis and handed over between nodes, routes and presence shared (see ClusterNode).
 */
@Injectable()
export class MqttServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly broker: Broker;
  /** Set in cluster mode (Redis state). */
  readonly clusterNode?: ClusterNode;
  private readonly servers: { close(): unknown }[] = [];
  /** What must stop before the broker closes (e.g. consumers that act on clients). */
  private readonly beforeDrain: (() => Promise<void>)[] = [];

  constructor(
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(RUNTIME_CONFIG) runtime: RuntimeConfig,
    state: StateStore,
    private readonly uplink: Uplink,
    authenticator: DeviceAuthenticator,
    accessControl: AccessControl,
  ) {
    const mqtt = options.mqtt;
    if (state instanceof RedisStateStore) {
      this.clusterNode = new ClusterNode(state.redis, logger, {
        nodeId: runtime.nodeId,
        forwardWindow: forwardWindowFor(mqtt.maxQueuedMessages),
        onClientReaped: (presence) => {
          logger.info({ clientId: presence.clientId, projectId: presence.projectId }, 'client marked offline: its node died');
          uplink.clientReaped(presence);
        },
      });
    }
    const hooks = combineHooks(
      defaultHooks({ allowAnonymous: mqtt.allowAnonymous }),
      authenticator.hooks(),
      accessControl.hooks(),
      { onStoreError: (error, doing) => this.logger.warn({ err: error }, `MQTT store failed while ${doing}`) },
      this.clusterNode?.presenceHooks(),
      uplink.hooks(),
    );
    this.broker = new Broker({
      retainedStore: new StateRetainedStore(state),
      // One node alone keeps sessions in memory; a cluster shares them so any node resumes them.
      sessionStore: this.clusterNode ? new StateSessionStore(state) : undefined,
      cluster: this.clusterNode?.cluster,
      maxKeepAlive: mqtt.maxKeepAlive,
      maxPacketSize: mqtt.maxPacketSize,
      receiveMaximum: mqtt.maxInflight,
      maxQueuedMessages: mqtt.maxQueuedMessages,
      hooks,
    });
  }

  /** Registers something to stop when draining starts, before the broker closes its connections. */
  onDrain(stop: () => Promise<void>): void {
    this.beforeDrain.push(stop);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { host, port, tlsPort, wsPort, wssPort, wsPath, tls } = this.options.mqtt;
    await this.clusterNode?.start(this.broker);
    if (port) this.servers.push(await listenTcp(this.broker, port, host));
    if (tls && tlsPort) this.servers.push(await listenTls(this.broker, tlsPort, host, tls));
    if (wsPort) this.servers.push(await listenWebSocket(this.broker, wsPort, host, { path: wsPath }));
    if (tls && wssPort) this.servers.push(await listenWebSocket(this.broker, wssPort, host, { path: wsPath, tls }));
    this.logger.info({ mqtt: { host, port, tlsPort, wsPort, wssPort } }, describeListeners(this.options).join('; '));
  }

  /**
   * Graceful drain: stop accepting, tell 5.0 clients the server is shutting down (0x8B),
   * close the rest, flush the uplink, and leave the cluster with every session resumable.
   */
  async beforeApplicationShutdown(): Promise<void> {
    for (const server of this.servers) server.close();
    await Promise.allSettled(this.beforeDrain.map((stop) => stop()));
    this.broker.close();
    // What the closed connections reported (and anything still buffered) goes out first.
    await this.uplink.flush(this.options.uplink.flushTimeoutMs);
    await this.clusterNode?.leave();
  }
}
