// First: V8's pretenuring must be off before any module allocates (see @iot/runtime pretenuring).
import '@iot/runtime/v8-early';
import { describeListeners } from '@iot/gateway';
import { runService } from '@iot/runtime';
import { AppModule } from './app.module';
import { StandaloneConfig, loadConfig } from './config';

void runService({
  title: 'iot-platform (standalone)',
  loadConfig,
  rootModule: (config, logger) => AppModule.forRoot(config as StandaloneConfig, logger),
  banner: (config) => {
    const { operatorKey, operatorKeyGenerated, gateway } = config as StandaloneConfig;
    return [
      ...describeListeners(gateway),
      ...(operatorKeyGenerated ? [`operator key for this run (set IOT_OPERATOR_KEY to choose one): ${operatorKey}`] : []),
    ];
  },
});
