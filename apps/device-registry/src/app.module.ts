import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { DeviceRegistryModule } from '@iot/registry';
import { RuntimeModule } from '@iot/runtime';
import { DeviceRegistryConfig } from './config';

@Module({})
export class AppModule {
  static forRoot(config: DeviceRegistryConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [RuntimeModule.forRoot(config, logger), DeviceRegistryModule.forRoot({ operatorKey: config.operatorKey, passwordHashCost: config.passwordHashCost })],
    };
  }
}
