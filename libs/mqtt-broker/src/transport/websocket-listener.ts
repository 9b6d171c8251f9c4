import { Server as HttpServer, createServer as createHttpServer } from 'node:http';
import { Server as HttpsServer, createServer as createHttpsServer } from 'node:https';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Broker } from '../broker';
import { listenOn } from './listen';
import type { TlsMaterial } from './tls-listener';

/** Subprotocols MQTT clients offer over WebSocket (`mqttv3.1` is MQTT 3.1's). */
const SUBPROTOCOLS = ['mqtt', 'mqttv3.1'];

/**
 * Serves MQTT over WebSocket (or WSS with `tls`) on `path`, binary frames, subprotocol
 * `mqtt`. Each WebSocket becomes a byte stream, so MQTT packets may span frames.
 */
export async function listenWebSocket(
  broker: Broker,
  port: number,
  host: string,
  options: { path?: string; tls?: TlsMaterial } = {},
): Promise<HttpServer | HttpsServer> {
  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }) : createHttpServer();
  server.on('request', (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: upgrade required\n');
  });
  const wss = new WebSocketServer({
    server,
    path: options.path ?? '/mqtt',
    perMessageDeflate: false,
    maxPayload: broker.options.maxPacketSize + 8,
    handleProtocols: (offered) => SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  wss.on('connection', (socket, request) => {
    const stream = createWebSocketStream(socket);
    stream.on('error', () => stream.destroy());
    broker.handle(stream, `${request.socket.remoteAddress}:${request.socket.remotePort}`);
  });
  await listenOn(server, port, host);
  server.on('close', () => wss.close());
  return server;
}
