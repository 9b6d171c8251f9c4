import { Server, createServer } from 'node:net';
import type { Broker } from '../broker';

/** Serves MQTT over plain TCP; resolves once listening. Nagle is off: MQTT is latency-bound. */
export async function listenTcp(broker: Broker, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer({ noDelay: true }, (socket) => {
    broker.handle(socket, `${socket.remoteAddress}:${socket.remotePort}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
