import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { MqttGatewayModule } from '@iot/gateway';
import { RuntimeModule } from '@iot/runtime';
import { MqttGatewayConfig } from './config';

@Module({})
export class AppModule {
  static forRoot(config: MqttGatewayConfig, logger: Logger): DynamicModule {
    return { module: AppModule, imports: [RuntimeModule.forRoot(config, logger), MqttGatewayModule.forRoot(config.gateway)] };
  }
}
