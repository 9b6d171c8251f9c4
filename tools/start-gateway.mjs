// `npm run start:gateway`: the MQTT gateway alone — in-process bus, in-memory state, no
// other service and nothing installed. Anonymous MQTT is on unless MQTT_ALLOW_ANONYMOUS says
// otherwise: this is the configuration `npm run bench:mqtt` measures.
import { build, entryOf, supervise } from './lib.mjs';

build(['mqtt-gateway']);
supervise([
  {
    name: 'mqtt-gateway',
    command: process.execPath,
    args: [entryOf('mqtt-gateway')],
    env: { BUS_DRIVER: 'in-process', STATE_DRIVER: 'memory', MQTT_ALLOW_ANONYMOUS: process.env.MQTT_ALLOW_ANONYMOUS ?? 'true' },
  },
]);
