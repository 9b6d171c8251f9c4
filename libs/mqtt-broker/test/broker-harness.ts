import { AddressInfo, Server } from 'node:net';
import mqtt, { IClientOptions, MqttClient } from 'mqtt';
import { Broker } from '../src/broker';
import { defaultHooks } from '../src/hooks';
import { listenTcp } from '../src/transport/tcp-listener';

/** A broker on a real TCP port of 127.0.0.1, and real MQTT.js clients for it. */
export class BrokerHarness {
  private readonly clients: MqttClient[] = [];

  private constructor(
    readonly broker: Broker,
    private readonly server: Server,
  ) {}

  static async start(options: Partial<ConstructorParameters<typeof Broker>[0]> = {}): Promise<BrokerHarness> {
    const broker = new Broker({ hooks: defaultHooks({ allowAnonymous: true }), ...options });
    const server = await listenTcp(broker, 0, '127.0.0.1');
    return new BrokerHarness(broker, server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Connects an MQTT.js client (3.1.1 unless protocolVersion says otherwise) and waits for CONNACK. */
  async connect(options: IClientOptions = {}): Promise<MqttClient> {
    const client = await mqtt.connectAsync(this.url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
    this.clients.push(client);
    return client;
  }

  /**
   * Connects with the inbox attached before CONNACK, so nothing sent right after it is
   * missed; resolves to the client, its inbox and the CONNACK.
   */
  async connectWithInbox(options: IClientOptions = {}) {
    const client = mqtt.connect(this.url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
    this.clients.push(client);
    const received = inbox(client);
    const connack = await new Promise<mqtt.IConnackPacket>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    return { client, received, connack };
  }

  /** Attempts a connection that the broker is expected to refuse; resolves to the error. */
  async refused(options: IClientOptions = {}): Promise<Error & { code?: number }> {
    try {
      const client = await this.connect(options);
      throw new Error(`connection was accepted (${client.options.clientId})`);
    } catch (error) {
      return error as Error & { code?: number };
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync(true).catch(() => undefined)));
    this.broker.close();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Collects the messages a client receives. */
export function inbox(client: MqttClient): { topic: string; payload: string; packet: mqtt.IPublishPacket }[] {
  const received: { topic: string; payload: string; packet: mqtt.IPublishPacket }[] = [];
  client.on('message', (topic, payload, packet) => received.push({ topic, payload: payload.toString(), packet }));
  return received;
}

export async function eventually<T>(check: () => T, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
