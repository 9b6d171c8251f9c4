import { Server, createServer } from 'node:net';
import type { Broker } from '../broker';
import { listenOn } from './listen';

/** Serves MQTT over plain TCP; resolves once listening. Nagle is off: MQTT is latency-bound. */
export async function listenTcp(broker: Broker, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer({ noDelay: true }, (socket) => {
    broker.handle(socket, `${socket.remoteAddress}:${socket.remotePort}`);
  });
  await listenOn(server, port, host);
  return server;
}
