import { Injectable, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, register } from 'prom-client';
import { Uplink } from '../uplink/uplink';
import { MqttServer } from './mqtt-server';

/** Exports the broker core's counters to Prometheus, read when /metrics is scraped. */
@Injectable()
export class MqttMetrics implements OnModuleInit {
  constructor(
    private readonly server: MqttServer,
    private readonly uplink: Uplink,
  ) {}

  onModuleInit(): void {
    const broker = this.server.broker;
    const stats = broker.stats;
    const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
      new Gauge({ name, help, registers: [register], collect: async function (this: Gauge) { this.set(await read()); } });
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({ name, help, registers: [register], collect: function (this: Counter) { this.reset(); this.inc(read()); } });
    const perQos = (name: string, help: string, read: () => number[]) =>
      new Counter({
        name,
        help,
        labelNames: ['qos'],
        registers: [register],
        collect: function (this: Counter<'qos'>) {
          this.reset();
          read().forEach((value, qos) => this.inc({ qos: String(qos) }, value));
        },
      });

    gauge('iot_mqtt_connections', 'Connected MQTT clients', () => broker.connectionCount);
    gauge('iot_mqtt_sessions', 'MQTT sessions, connected or persisted', () => broker.sessionCount);
    gauge('iot_mqtt_subscriptions', 'MQTT subscriptions', () => broker.subscriptions.size);
    gauge('iot_mqtt_retained_messages', 'Retained messages', () => broker.retained.count());
    counter('iot_mqtt_connections_accepted_total', 'TCP/WebSocket connections accepted', () => stats.connectionsAccepted);
    counter('iot_mqtt_bytes_received_total', 'Bytes received from MQTT clients', () => stats.bytesIn);
    counter('iot_mqtt_bytes_sent_total', 'Bytes sent to MQTT clients', () => stats.bytesOut);
    counter('iot_mqtt_packets_received_total', 'MQTT control packets received', () => stats.packetsIn);
    counter('iot_mqtt_packets_sent_total', 'MQTT control packets sent', () => stats.packetsOut);
    perQos('iot_mqtt_messages_received_total', 'PUBLISH packets received, by QoS', () => stats.messagesIn);
    perQos('iot_mqtt_messages_sent_total', 'PUBLISH packets sent, by QoS', () => stats.messagesOut);
    perQos('iot_mqtt_messages_dropped_total', 'Messages dropped (offline QoS 0, queue full, expired, unauthorized, slow consumer), by QoS', () => stats.messagesDropped);
    counter('iot_mqtt_auth_successes_total', 'Accepted MQTT logins', () => stats.authSuccesses);
    counter('iot_mqtt_auth_failures_total', 'Refused MQTT logins', () => stats.authFailures);
    const uplink = this.uplink;
    gauge('iot_gateway_uplink_buffered', 'Device messages and client events waiting for the bus', () => uplink.buffer.size);
    counter('iot_gateway_uplink_sent_total', 'Device messages and client events the bus accepted', () => uplink.buffer.sent);
    counter('iot_gateway_uplink_send_failures_total', 'Batches the bus refused (each is retried)', () => uplink.buffer.failures);
    counter('iot_gateway_uplink_dropped_qos0_total', 'QoS 0 device messages not reported because the uplink buffer was full', () => uplink.dropped.qos0);
    counter('iot_gateway_uplink_dropped_events_total', 'Client events not reported because the uplink buffer was full', () => uplink.dropped.events);
    counter('iot_gateway_uplink_refused_total', 'Device messages and client events dropped because the bus refused their record as too large (each record logged)', () => uplink.buffer.refused);
  }
}
