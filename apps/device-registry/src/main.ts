import { runService } from '@iot/runtime';
import { AppModule } from './app.module';
import { DeviceRegistryConfig, loadConfig } from './config';

void runService({
  title: 'iot-platform device registry',
  loadConfig,
  rootModule: (config, logger) => AppModule.forRoot(config as DeviceRegistryConfig, logger),
});
