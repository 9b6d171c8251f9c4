// First: V8's pretenuring must be off before any module allocates (see @iot/runtime pretenuring).
import '@iot/runtime/v8-early';
import { describeListeners } from '@iot/gateway';
import { runService } from '@iot/runtime';
import { AppModule } from './app.module';
import { MqttGatewayConfig, loadConfig } from './config';

void runService({
  title: 'iot-platform MQTT gateway',
  loadConfig,
  rootModule: (config, logger) => AppModule.forRoot(config as MqttGatewayConfig, logger),
  banner: (config) => describeListeners((config as MqttGatewayConfig).gateway),
});
