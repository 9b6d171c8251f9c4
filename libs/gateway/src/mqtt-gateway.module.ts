import { DynamicModule, Module } from '@nestjs/common';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { AccessControl } from './auth/access-control';
import { DeviceAuthenticator } from './auth/device-authenticator';
import { DeviceChangesConsumer } from './auth/device-changes.consumer';
import { GATEWAY_OPTIONS, GatewayOptions } from './gateway.options';
import { MqttMetrics } from './mqtt/mqtt-metrics';
import { MqttServer } from './mqtt/mqtt-server';
import { Uplink } from './uplink/uplink';
import { GatewayCommandsConsumer } from './commands/gateway-commands.consumer';
import { RegistryCache } from './registry-cache/registry-cache';
import { NodeStatsReporter } from './stats/node-stats-reporter';
import { REGISTRY_CHANGES_METRIC, RegistryChangesConsumer } from './registry-cache/registry-changes.consumer';

/** The MQTT gateway: device and application connections, sessions, routing, registry enforcement. */
@Module({})
export class MqttGatewayModule {
  static forRoot(options: GatewayOptions): DynamicModule {
    return {
      module: MqttGatewayModule,
      providers: [
        { provide: GATEWAY_OPTIONS, useValue: options },
        MqttServer,
        DeviceAuthenticator,
        AccessControl,
        DeviceChangesConsumer,
        MqttMetrics,
        Uplink,
        GatewayCommandsConsumer,
        RegistryCache,
        RegistryChangesConsumer,
        NodeStatsReporter,
        makeCounterProvider({ name: REGISTRY_CHANGES_METRIC, help: 'Registry changes applied to the gateway caches', labelNames: ['change'] }),
      ],
      exports: [RegistryCache, MqttServer],
    };
  }
}
