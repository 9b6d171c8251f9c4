import { runService } from '@iot/runtime';
import { AppModule } from './app.module';
import { CommandServiceConfig, loadConfig } from './config';

void runService({
  title: 'iot-platform command service',
  loadConfig,
  rootModule: (config, logger) => AppModule.forRoot(config as CommandServiceConfig, logger),
});
