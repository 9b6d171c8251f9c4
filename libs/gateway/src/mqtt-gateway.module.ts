import { Module } from '@nestjs/common';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { RegistryCache } from './registry-cache/registry-cache';
import { REGISTRY_CHANGES_METRIC, RegistryChangesConsumer } from './registry-cache/registry-changes.consumer';

/** The MQTT gateway: device and application connections, sessions, routing, registry enforcement. */
@Module({
  providers: [
    RegistryCache,
    RegistryChangesConsumer,
    makeCounterProvider({ name: REGISTRY_CHANGES_METRIC, help: 'Registry changes applied to the gateway caches', labelNames: ['change'] }),
  ],
  exports: [RegistryCache],
})
export class MqttGatewayModule {}
