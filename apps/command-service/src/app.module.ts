import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { CommandServiceModule } from '@iot/commands';
import { RuntimeModule } from '@iot/runtime';
import { CommandServiceConfig } from './config';

@Module({})
export class AppModule {
  static forRoot(config: CommandServiceConfig, logger: Logger): DynamicModule {
    return { module: AppModule, imports: [RuntimeModule.forRoot(config, logger), CommandServiceModule.forRoot(config.commands)] };
  }
}
