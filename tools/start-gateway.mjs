// `npm run start:gateway`: the MQTT gateway alone — in-process bus, in-memory state, no
// other service and nothing installed. Anonymous MQTT is on unless MQTT_ALLOW_ANONYMOUS says
// otherwise, and nothing is reported to the (absent) rest of the platform (MQTT_UPLINK=false):
// this is the configuration `npm run bench:mqtt` measures.
import { build, entryOf, supervise } from './lib.mjs';

build(['mqtt-gateway']);
supervise([
  {
    name: 'mqtt-gateway',
    command: process.execPath,
    args: [entryOf('mqtt-gateway')],
    env: { BUS_DRIVER: 'in-process', STATE_DRIVER: 'memory', MQTT_ALLOW_ANONYMOUS: process.env.MQTT_ALLOW_ANONYMOUS ?? 'true', MQTT_UPLINK: process.env.MQTT_UPLINK ?? 'false' },
  },
]);
