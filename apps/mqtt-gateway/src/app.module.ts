import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { MqttGatewayModule } from '@iot/gateway';
import { RuntimeConfig, RuntimeModule } from '@iot/runtime';

@Module({})
export class AppModule {
  static forRoot(config: RuntimeConfig, logger: Logger): DynamicModule {
    return { module: AppModule, imports: [RuntimeModule.forRoot(config, logger), MqttGatewayModule] };
  }
}
