import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { CommandServiceModule } from '@iot/commands';
import { MqttGatewayModule } from '@iot/gateway';
import { DeviceRegistryModule } from '@iot/registry';
import { RuleServiceModule } from '@iot/rules';
import { RuntimeModule } from '@iot/runtime';
import { StandaloneConfig } from './config';

/** The same four service modules as cluster mode, over standalone adapters. */
@Module({})
export class AppModule {
  static forRoot(config: StandaloneConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RuntimeModule.forRoot(config, logger),
        DeviceRegistryModule.forRoot({ operatorKey: config.operatorKey, passwordHashCost: config.passwordHashCost }),
        MqttGatewayModule.forRoot(config.gateway),
        CommandServiceModule.forRoot(config.commands),
        RuleServiceModule,
      ],
    };
  }
}
