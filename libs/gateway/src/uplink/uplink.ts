import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { MessageBus } from '@iot/bus';
import { ClientEventType, GatewayClientEvent, GatewayClientEventValue, encodeRecord, outboundValueSize } from '@iot/contracts';
import type { BrokerHooks, ClientInfo, InboundBytes, Message } from '@iot/mqtt-broker';
import { ROOT_LOGGER, RUNTIME_CONFIG, RuntimeConfig } from '@iot/runtime';
import { Presence, connectionIdOf } from '../cluster/presence-table';
import { GATEWAY_OPTIONS, GatewayOptions } from '../gateway.options';
import { DeviceMessagePacker } from './device-message-packer';
import { UplinkBuffer } from './uplink-buffer';

const PRODUCER = 'mqtt-gateway';

/**
 * Everything the gateway reports to the rest of the platform: each message a device
 * publishes (and each will) on `gateway.device.message.v1`, and what happens to clients on
 * `gateway.client.event.v1`, both keyed by device so per-device order holds. Records go
 * through a bounded buffer (device messages packed per client and event-loop turn, see
 * DeviceMessagePacker); when it is full, QoS 1/2 publishers are held (their acks wait)
 * and QoS 0 messages are counted as dropped — never lost silently.
 */
@Injectable()
export class Uplink {
  readonly buffer: UplinkBuffer;
  /** Messages and events not sent because the buffer was full, by kind. */
  readonly dropped = { qos0: 0, events: 0 };
  private readonly node: string;
  private readonly deliveryEvents: boolean;
  private readonly enabled: boolean;
  private readonly packer: DeviceMessagePacker;

  constructor(
    bus: MessageBus,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
    @Inject(RUNTIME_CONFIG) runtime: RuntimeConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.node = runtime.nodeId;
    this.deliveryEvents = options.uplink.deliveryEvents;
    this.enabled = options.uplink.enabled;
    this.buffer = new UplinkBuffer(bus, {
      capacity: options.uplink.bufferSize,
      // One produce request per send and one in flight: the larger the batch, the more
      // records per round trip. Bytes bounded below Kafka's default 1 MiB per partition batch.
      batchSize: 10_000,
      batchBytes: 900_000,
      lingerMs: options.uplink.lingerMs,
      lingerAboveRate: options.uplink.lingerAboveRate,
      retryDelayMs: 200,
      maxRetryDelayMs: 5_000,
      onSendFailed: (error, retryInMs) => logger.warn({ err: error, buffered: this.buffer.size, retryInMs }, 'uplink: the bus refused a batch; retrying'),
      onRecordRefused: (record, error) =>
        logger.error({ err: error, topic: record.topic, key: record.key, bytes: outboundValueSize(record.value) }, 'uplink: the bus refused a record as too large; dropped'),
    });
    this.packer = new DeviceMessagePacker(this.node, (record, messages) => this.buffer.push(record, messages));
  }

  /** The broker hooks that feed the uplink, to be merged with the others (none when it is off). */
  hooks(): Pick<BrokerHooks, 'admitPublish' | 'onPublished' | 'onConnected' | 'onDisconnected' | 'onSubscribed' | 'onUnsubscribed' | 'onDelivered' | 'onDeliveredTrackedOnly' | 'onDropped'> {
    if (!this.enabled) return {};
    return {
      admitPublish: (message) => (message.qos > 0 && this.buffer.full ? this.buffer.room() : undefined),
      onPublished: (message, client, bytes) => this.deviceMessage(message, client, bytes),
      onConnected: (client, details) =>
        this.event('connected', client, { peerAddress: client.peerAddress, protocolVersion: client.protocolVersion, cleanStart: details.cleanStart }),
      onDisconnected: (client, reason) => this.event('disconnected', client, { reason: reason.slice(0, 500) }),
      onSubscribed: (client, filter, qos) => this.event('subscribed', client, { topic: filter, qos }),
      onUnsubscribed: (client, filter) => this.event('unsubscribed', client, { topic: filter }),
      // Every delivery and drop when asked to; always those of messages the platform follows
      // (the broker then calls onDelivered for those alone: no call per copy of a fan-out).
      onDelivered: (client: ClientInfo, message: Message) => this.event('delivered', client, { topic: message.topic, qos: message.qos, ...tracked(message) }),
      onDeliveredTrackedOnly: !this.deliveryEvents,
      onDropped: (message: Message, reason: string, client?: ClientInfo) => {
        if (client && (this.deliveryEvents || message.trackingId !== undefined)) this.event('dropped', client, { topic: message.topic, qos: message.qos, reason, ...tracked(message) });
      },
    };
  }

  /** Sends what is buffered (graceful drain); resolves to what could not be sent in time. */
  async flush(timeoutMs: number): Promise<number> {
    this.packer.flush();
    const left = await this.buffer.drain(timeoutMs);
    if (left > 0) this.logger.error({ left }, 'uplink: messages and events still unsent at shutdown');
    return left;
  }

  private deviceMessage(message: Message, client?: ClientInfo, bytes?: InboundBytes): void {
    // Platform publishes (no origin) came from the platform: nothing to report back to it.
    if (message.origin === undefined) return;
    if (this.buffer.full && message.qos === 0) {
      this.dropped.qos0++;
      return;
    }
    // The client's own bytes are forwarded as they are (in its MQTT version); a message
    // without them (a will, an alias) gets a 5.0 packet written.
    if (client && bytes) this.packer.add(message, message.origin, client.protocolVersion, bytes);
    else this.packer.add(message, message.origin);
  }

  /** A client whose node died, marked offline by this node: its `disconnected` event, once. */
  clientReaped(presence: Presence): void {
    if (!this.enabled) return;
    this.pushEvent({
      type: 'disconnected',
      projectId: presence.projectId,
      clientId: presence.clientId,
      ...(presence.deviceId !== undefined ? { deviceId: presence.deviceId } : {}),
      node: presence.node,
      connectionId: presence.connectionId,
      occurredAt: new Date().toISOString(),
      reason: 'its gateway node stopped responding',
    });
  }

  private event(type: ClientEventType, client: ClientInfo, details: Partial<GatewayClientEventValue>): void {
    this.pushEvent({
      type,
      projectId: client.projectId,
      clientId: client.clientId,
      ...(client.deviceId !== undefined ? { deviceId: client.deviceId } : {}),
      node: this.node,
      connectionId: connectionIdOf(this.node, client),
      occurredAt: new Date().toISOString(),
      ...details,
    });
  }

  private pushEvent(value: GatewayClientEventValue): void {
    // Events keep flowing while device messages are held, up to twice the capacity.
    if (this.buffer.size >= 2 * this.buffer.capacity) {
      this.dropped.events++;
      return;
    }
    try {
      this.buffer.push(encodeRecord(GatewayClientEvent, value, PRODUCER));
    } catch (error) {
      // A client id or filter the contract refuses (e.g. too long for an event): report, never crash.
      this.dropped.events++;
      this.logger.warn({ err: error, clientId: value.clientId }, 'uplink: client event refused by its contract');
    }
  }
}

const tracked = (message: Message): { trackingId?: string } => (message.trackingId !== undefined ? { trackingId: message.trackingId } : {});
