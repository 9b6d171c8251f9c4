// First: V8's pretenuring must be off before any module allocates (see @iot/runtime pretenuring).
import '@iot/runtime/v8-early';
import { runService } from '@iot/runtime';
import { AppModule } from './app.module';
import { DeviceRegistryConfig, loadConfig } from './config';

void runService({
  title: 'iot-platform device registry',
  loadConfig,
  rootModule: (config, logger) => AppModule.forRoot(config as DeviceRegistryConfig, logger),
});
