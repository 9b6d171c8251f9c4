import { Socket, connect as tcpConnect } from 'node:net';
import mqttPacket, { Packet } from 'mqtt-packet';
import { eventually } from './broker-harness';

/** A raw MQTT client over a socket, to drive flows MQTT.js hides (withholding acks, exact packet ids). */
export class RawClient {
  readonly packets: Packet[] = [];
  private constructor(
    private readonly socket: Socket,
    private readonly version: 4 | 5,
  ) {}

  static async connect(port: number, version: 4 | 5, connect: Record<string, unknown>): Promise<RawClient> {
    const socket = tcpConnect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const client = new RawClient(socket, version);
    const parser = mqttPacket.parser({ protocolVersion: version });
    parser.on('packet', (packet: Packet) => client.packets.push(packet));
    socket.on('data', (chunk) => parser.parse(chunk));
    client.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: version, keepalive: 30, ...connect });
    await client.next('connack');
    return client;
  }

  send(packet: Record<string, unknown>): void {
    this.socket.write(mqttPacket.generate(packet as unknown as Packet, { protocolVersion: this.version }));
  }

  /** Sends many packets in one write, as a fast client would. */
  sendAll(packets: Record<string, unknown>[]): void {
    this.socket.write(Buffer.concat(packets.map((packet) => mqttPacket.generate(packet as unknown as Packet, { protocolVersion: this.version }))));
  }

  async next(cmd: string, timeoutMs = 3_000): Promise<Packet & Record<string, unknown>> {
    return eventually(() => {
      const index = this.packets.findIndex((p) => p.cmd === cmd);
      if (index < 0) throw new Error(`no ${cmd} received; got ${this.packets.map((p) => p.cmd).join(', ')}`);
      return this.packets.splice(index, 1)[0] as Packet & Record<string, unknown>;
    }, timeoutMs);
  }

  drop(): void {
    this.socket.destroy();
  }
}
