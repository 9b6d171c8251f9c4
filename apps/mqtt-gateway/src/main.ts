import { runService } from '@iot/runtime';
import { AppModule } from './app.module';
import { MqttGatewayConfig, loadConfig } from './config';

void runService({
  title: 'iot-platform MQTT gateway',
  loadConfig,
  rootModule: (config, logger) => AppModule.forRoot(config as MqttGatewayConfig, logger),
  banner: (config) => {
    const { port, host } = (config as MqttGatewayConfig).gateway.mqtt;
    return [port === 0 ? 'MQTT listener off' : `MQTT on tcp://${host}:${port}`];
  },
});
