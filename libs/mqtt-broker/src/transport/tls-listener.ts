import { Server, createServer } from 'node:tls';
import type { Broker } from '../broker';
import { listenOn } from './listen';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** Client CA: when given, clients must present a certificate it signed. */
  ca?: Buffer;
}

/** Serves MQTT over TLS; resolves once listening. */
export async function listenTls(broker: Broker, port: number, host: string, tls: TlsMaterial): Promise<Server> {
  const server = createServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: tls.ca !== undefined, rejectUnauthorized: tls.ca !== undefined }, (socket) => {
    socket.setNoDelay(true);
    broker.handle(socket, `${socket.remoteAddress}:${socket.remotePort}`);
  });
  // A failed handshake concerns one client only.
  server.on('tlsClientError', (_error, socket) => socket.destroy());
  await listenOn(server, port, host);
  return server;
}
