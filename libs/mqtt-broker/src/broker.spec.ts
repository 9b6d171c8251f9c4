import { Socket, connect as tcpConnect } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { BrokerHarness, eventually, inbox, sleep } from '../test/broker-harness';
import { defaultHooks } from './hooks';
import mqtt, { type ISubscriptionMap, type MqttClient } from 'mqtt';

/** SUBACK codes, whether or not MQTT.js treats some of them as an error. */
async function grantedCodes(client: MqttClient, subscriptions: ISubscriptionMap): Promise<number[]> {
  const granted = await client.subscribeAsync(subscriptions).catch((error: { packet?: { granted: number[] } }) => error.packet?.granted.map((qos) => ({ qos })));
  return (granted ?? []).map((g) => g.qos);
}

describe('Broker over TCP with MQTT.js', () => {
  let h: BrokerHarness;

  afterEach(async () => {
    await h?.stop();
  });

  describe.each([4, 5] as const)('MQTT protocol version %i', (protocolVersion) => {
    beforeEach(async () => {
      h = await BrokerHarness.start();
    });

    it.each([0, 1, 2] as const)('should deliver a QoS %i publish to a subscriber', async (qos) => {
      const sub = await h.connect({ protocolVersion });
      const got = inbox(sub);
      await sub.subscribeAsync('sensors/+/temp', { qos });
      const pub = await h.connect({ protocolVersion });
      await pub.publishAsync('sensors/a/temp', '21.5', { qos });
      await eventually(() => expect(got.map((m) => [m.topic, m.payload, m.packet.qos])).toEqual([['sensors/a/temp', '21.5', qos]]));
    });

    it('should downgrade to the subscription QoS', async () => {
      const sub = await h.connect({ protocolVersion });
      const got = inbox(sub);
      await sub.subscribeAsync('t', { qos: 0 });
      const pub = await h.connect({ protocolVersion });
      await pub.publishAsync('t', 'x', { qos: 2 });
      await eventually(() => expect(got.map((m) => m.packet.qos)).toEqual([0]));
    });

    it('should deliver a retained message to a later subscriber with RETAIN set, and delete it on an empty payload', async () => {
      const pub = await h.connect({ protocolVersion });
      await pub.publishAsync('config/a', 'v1', { qos: 1, retain: true });
      const sub = await h.connect({ protocolVersion });
      const got = inbox(sub);
      await sub.subscribeAsync('config/#', { qos: 1 });
      await eventually(() => expect(got.map((m) => [m.payload, m.packet.retain])).toEqual([['v1', true]]));

      await pub.publishAsync('config/a', '', { qos: 1, retain: true });
      const late = await h.connect({ protocolVersion });
      const lateGot = inbox(late);
      await late.subscribeAsync('config/#');
      await sleep(100);
      expect(lateGot).toEqual([]);
      expect(await h.broker.retained.count()).toBe(0);
    });

    it('should not match $-topics with first-level wildcards', async () => {
      const sub = await h.connect({ protocolVersion });
      const got = inbox(sub);
      await sub.subscribeAsync('#');
      await sub.subscribeAsync('$SYS/#');
      const pub = await h.connect({ protocolVersion });
      await pub.publishAsync('$SYS/x', 'sys', { qos: 1 });
      await eventually(() => expect(got.map((m) => m.topic)).toEqual(['$SYS/x']));
    });

    it('should publish the will when the connection drops, and not after a normal DISCONNECT', async () => {
      const watcher = await h.connect({ protocolVersion });
      const got = inbox(watcher);
      await watcher.subscribeAsync('wills/#', { qos: 1 });
      const polite = await h.connect({ protocolVersion, will: { topic: 'wills/polite', payload: Buffer.from('gone'), qos: 1, retain: false } });
      await polite.endAsync();
      const rude = await h.connect({ protocolVersion, will: { topic: 'wills/rude', payload: Buffer.from('gone'), qos: 1, retain: false } });
      (rude as unknown as { stream: Socket }).stream.destroy();
      await eventually(() => expect(got.map((m) => m.topic)).toEqual(['wills/rude']));
    });

    it('should keep a persistent session and deliver QoS 1 messages missed while offline', async () => {
      const options = protocolVersion === 5 ? { clean: false, properties: { sessionExpiryInterval: 60 } } : { clean: false };
      const first = await h.connect({ protocolVersion, clientId: 'persistent-1', ...options });
      await first.subscribeAsync('jobs/#', { qos: 1 });
      await first.endAsync();
      const pub = await h.connect({ protocolVersion });
      for (let i = 0; i < 5; i++) await pub.publishAsync(`jobs/${i}`, `job ${i}`, { qos: 1 });
      await pub.publishAsync('jobs/qos0', 'lost', { qos: 0 });

      const { received: got, connack } = await h.connectWithInbox({ protocolVersion, clientId: 'persistent-1', ...options });
      expect(connack.sessionPresent).toBe(true);
      await eventually(() => expect(got.map((m) => m.payload)).toEqual(['job 0', 'job 1', 'job 2', 'job 3', 'job 4']));
    });

    it('should end the old connection when the same client id connects again', async () => {
      const first = await h.connect({ protocolVersion, clientId: 'dup-id' });
      const closed = new Promise<void>((resolve) => first.stream.once('close', () => resolve()));
      const disconnectPacket = new Promise<number | undefined>((resolve) => first.once('disconnect', (packet) => resolve(packet.reasonCode)));
      const second = await h.connect({ protocolVersion, clientId: 'dup-id' });
      await closed;
      if (protocolVersion === 5) expect(await disconnectPacket).toBe(0x8e);
      expect(second.connected).toBe(true);
      expect(h.broker.connectionCount).toBe(1);
    });
  });

  describe('MQTT 5.0 specifics', () => {
    beforeEach(async () => {
      h = await BrokerHarness.start({ maxKeepAlive: 30 });
    });

    it('should send one copy for overlapping subscriptions, at the highest QoS, with every subscription identifier', async () => {
      const sub = await h.connect({ protocolVersion: 5 });
      const got = inbox(sub);
      await sub.subscribeAsync('a/+', { qos: 0, properties: { subscriptionIdentifier: 1 } });
      await sub.subscribeAsync('a/#', { qos: 2, properties: { subscriptionIdentifier: 2 } });
      const pub = await h.connect({ protocolVersion: 5 });
      await pub.publishAsync('a/b', 'once', { qos: 2 });
      await sleep(100);
      expect(got).toHaveLength(1);
      expect(got[0].packet.qos).toBe(2);
      expect([got[0].packet.properties?.subscriptionIdentifier].flat().sort()).toEqual([1, 2]);
    });

    it('should honour no-local', async () => {
      const client = await h.connect({ protocolVersion: 5 });
      const got = inbox(client);
      await client.subscribeAsync('echo', { qos: 1, nl: true });
      await client.publishAsync('echo', 'me', { qos: 1 });
      await sleep(100);
      expect(got).toEqual([]);
    });

    it('should pass user properties, content type, response topic and correlation data through', async () => {
      const sub = await h.connect({ protocolVersion: 5 });
      const got = inbox(sub);
      await sub.subscribeAsync('req', { qos: 1 });
      const pub = await h.connect({ protocolVersion: 5 });
      const properties = { userProperties: { k: 'v' }, contentType: 'application/json', responseTopic: 'res/1', correlationData: Buffer.from('c1'), payloadFormatIndicator: true };
      await pub.publishAsync('req', '{}', { qos: 1, properties });
      await eventually(() => expect(got).toHaveLength(1));
      expect(got[0].packet.properties).toMatchObject(properties);
    });

    it('should assign a client identifier and cap the keepalive, saying so in CONNACK', async () => {
      const client = await h.connect({ protocolVersion: 5, clientId: '', keepalive: 120 });
      const props = (client as unknown as { connackPacket?: { properties?: Record<string, unknown> } }).connackPacket?.properties ?? {};
      expect(props.assignedClientIdentifier).toMatch(/^auto-/);
      expect(props.serverKeepAlive).toBe(30);
      expect(props.receiveMaximum).toBe(32);
    });

    it('should refuse enhanced authentication with 0x8C', async () => {
      const error = await h.refused({ protocolVersion: 5, properties: { authenticationMethod: 'SCRAM-SHA-1' } });
      expect(error.code).toBe(0x8c);
    });

    it('should deliver each message to one member of a shared group, besides plain subscribers', async () => {
      const members = await Promise.all([h.connect({ protocolVersion: 5 }), h.connect({ protocolVersion: 5 })]);
      const inboxes = members.map(inbox);
      for (const m of members) await m.subscribeAsync('$share/workers/jobs/+', { qos: 1 });
      const watcher = await h.connect({ protocolVersion: 5 });
      const all = inbox(watcher);
      await watcher.subscribeAsync('jobs/#', { qos: 1 });
      const pub = await h.connect({ protocolVersion: 5 });
      for (let i = 0; i < 10; i++) await pub.publishAsync(`jobs/${i}`, String(i), { qos: 1 });
      await eventually(() => expect(inboxes[0].length + inboxes[1].length).toBe(10));
      expect(inboxes[0].length).toBe(5); // round-robin over online members
      expect([...inboxes[0], ...inboxes[1]].map((m) => Number(m.payload)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      await eventually(() => expect(all).toHaveLength(10));
    });

    it('should not send retained messages for a shared subscription, and forget a group once empty', async () => {
      const pub = await h.connect({ protocolVersion: 5 });
      await pub.publishAsync('cfg/x', 'retained', { qos: 1, retain: true });
      const member = await h.connect({ protocolVersion: 5 });
      const got = inbox(member);
      await member.subscribeAsync('$share/g/cfg/#', { qos: 1 });
      await sleep(100);
      expect(got).toEqual([]);
      await member.unsubscribeAsync('$share/g/cfg/#');
      expect(h.broker.subscriptions.size).toBe(0);
    });

    it('should answer UNSUBSCRIBE with a reason code per filter', async () => {
      const client = await h.connect({ protocolVersion: 5 });
      await client.subscribeAsync('a');
      const codes: number[][] = [];
      client.on('packetreceive', (packet) => packet.cmd === 'unsuback' && codes.push((packet as { reasonCode?: number[]; granted?: number[] }).granted ?? []));
      await client.unsubscribeAsync(['a', 'never-subscribed']);
      await eventually(() => expect(codes).toEqual([[0x00, 0x11]]));
    });

    it('should answer 0x10 when a QoS 1 publish matched no subscriber', async () => {
      const client = await h.connect({ protocolVersion: 5 });
      const acks: number[] = [];
      client.on('packetreceive', (packet) => packet.cmd === 'puback' && acks.push((packet as { reasonCode?: number }).reasonCode ?? 0));
      await client.publishAsync('nobody/listens', 'x', { qos: 1 });
      await client.subscribeAsync('somebody/listens');
      await client.publishAsync('somebody/listens', 'x', { qos: 1 });
      expect(acks).toEqual([0x10, 0]);
    });
  });

  describe('authentication and authorization hooks', () => {
    beforeEach(async () => {
      h = await BrokerHarness.start({
        hooks: {
          ...defaultHooks({ allowAnonymous: false }),
          authenticate: (req) =>
            req.username === undefined
              ? { ok: false, reason: 'not-authorized' }
              : req.username === 'dev' && req.password?.toString() === 'secret'
                ? { ok: true, projectId: 'p1' }
                : { ok: false, reason: 'bad-credentials' },
          authorizePublish: (_client, topic) => !topic.startsWith('forbidden'),
          authorizeSubscribe: (_client, filter) => !filter.startsWith('forbidden'),
        },
      });
    });

    it.each([
      [4, {}, 5],
      [5, {}, 0x87],
      [4, { username: 'dev', password: 'wrong' }, 4],
      [5, { username: 'dev', password: 'wrong' }, 0x86],
    ] as const)('should refuse v%i %p with %i', async (protocolVersion, credentials, code) => {
      const error = await h.refused({ protocolVersion, ...credentials });
      expect(error.code).toBe(code);
      expect(h.broker.stats.authFailures).toBe(1);
    });

    it('should refuse forbidden subscriptions with 0x80 (3.1.1) and 0x87 (5.0)', async () => {
      const v4 = await h.connect({ protocolVersion: 4, username: 'dev', password: 'secret' });
      expect(await grantedCodes(v4, { 'forbidden/x': { qos: 1 }, 'ok/x': { qos: 1 } })).toEqual([0x80, 1]);
      const v5 = await h.connect({ protocolVersion: 5, username: 'dev', password: 'secret' });
      expect(await grantedCodes(v5, { 'forbidden/x': { qos: 1 } })).toEqual([0x87]);
    });

    it('should answer a forbidden QoS 1 publish with 0x87 in 5.0 and not route it', async () => {
      const sub = await h.connect({ username: 'dev', password: 'secret' });
      const got = inbox(sub);
      await sub.subscribeAsync('#');
      const pub = await h.connect({ protocolVersion: 5, username: 'dev', password: 'secret' });
      const ack = await pub.publishAsync('forbidden/t', 'x', { qos: 1 }).catch((error) => error);
      expect((ack as { code?: number; reasonCode?: number }).code ?? (ack as { reasonCode?: number }).reasonCode).toBe(0x87);
      await sleep(100);
      expect(got).toEqual([]);
    });
  });

  describe('a publisher held by a hook', () => {
    it('should keep answering its PINGREQs (no keepalive timeout on either side), then acknowledge in order', async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      h = await BrokerHarness.start({ hooks: { ...defaultHooks({ allowAnonymous: true }), admitPublish: (message) => (message.topic === 'held' ? held : undefined) } });
      const client = await h.connect({ protocolVersion: 5, keepalive: 1 });
      const pings: number[] = [];
      client.on('packetreceive', (packet) => packet.cmd === 'pingresp' && pings.push(Date.now()));
      const acked: string[] = [];
      const first = client.publishAsync('held', 'x', { qos: 1 }).then(() => acked.push('held'));
      const second = client.publishAsync('after', 'y', { qos: 1 }).then(() => acked.push('after'));
      await sleep(3_500); // MQTT.js gives up after 1.5 keepalives without an answer
      expect(client.connected).toBe(true);
      expect(pings.length).toBeGreaterThanOrEqual(2);
      expect(acked).toEqual([]);
      release();
      await Promise.all([first, second]);
      expect(acked).toEqual(['held', 'after']);
    }, 10_000);
  });

  describe('credentials that end, devices kicked', () => {
    const disconnectOf = (client: MqttClient) =>
      new Promise<number | undefined>((resolve) => client.on('packetreceive', (packet) => packet.cmd === 'disconnect' && resolve((packet as { reasonCode?: number }).reasonCode)));

    it('should close a connection when its credentials expire (5.0: 0x87), and refuse expired ones at once', async () => {
      let expiresAt = Date.now() + 300;
      h = await BrokerHarness.start({ hooks: { ...defaultHooks({ allowAnonymous: false }), authenticate: () => ({ ok: true, projectId: 'p1', deviceId: 'd1', expiresAt }) } });
      const client = await h.connect({ protocolVersion: 5 });
      const disconnected = disconnectOf(client);
      expect(await disconnected).toBe(0x87);
      await eventually(() => expect(client.connected).toBe(false));
      expiresAt = Date.now() - 1; // over by the time it is admitted: CONNACK, then DISCONNECT at once
      const late = mqtt.connect(h.url, { protocolVersion: 5, reconnectPeriod: 0 });
      expect(await disconnectOf(late)).toBe(0x87);
      late.end(true);
    });

    it('should disconnect every client of a device (0x98) and no other', async () => {
      h = await BrokerHarness.start({
        hooks: { ...defaultHooks({ allowAnonymous: false }), authenticate: (req) => ({ ok: true, projectId: req.username === 'other-project' ? 'p2' : 'p1', deviceId: req.username === 'd2' ? 'd2' : 'd1' }) },
      });
      const a = await h.connect({ protocolVersion: 5, username: 'd1', clientId: 'a' });
      const b = await h.connect({ protocolVersion: 4, username: 'd1', clientId: 'b' });
      const other = await h.connect({ protocolVersion: 5, username: 'd2', clientId: 'c' });
      const otherProject = await h.connect({ protocolVersion: 5, username: 'other-project', clientId: 'd' });
      const reason = disconnectOf(a);
      expect(h.broker.kickDevice('p1', 'd1', 'the device was disabled')).toBe(2);
      expect(await reason).toBe(0x98);
      await eventually(() => expect([a.connected, b.connected]).toEqual([false, false]));
      expect([other.connected, otherProject.connected]).toEqual([true, true]);
      expect(h.broker.kickDevice('p1', 'd1', 'again')).toBe(0);
      // A change older than a connection's login leaves that connection alone.
      const fresh = await h.connect({ protocolVersion: 5, username: 'dev', password: 'secret', clientId: 'fresh' });
      expect(h.broker.kickDevice('p1', 'd1', 'an older change', Date.now() - 60_000)).toBe(0);
      expect(fresh.connected).toBe(true);
      expect(h.broker.kickDevice('p1', 'd1', 'a newer change', Date.now() + 1_000)).toBe(1);
      await eventually(() => expect(fresh.connected).toBe(false));
    });
  });

  describe('bad input', () => {
    beforeEach(async () => {
      h = await BrokerHarness.start({ maxPacketSize: 1024 });
    });

    const rawConnect = async (): Promise<Socket> => {
      const socket = tcpConnect(h.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.on('data', () => undefined); // keep reading, or the end of the stream is never seen
      return socket;
    };
    const closedWithin = (socket: Socket, ms = 3_000) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });

    it('should close a connection whose first packet is not CONNECT', async () => {
      const socket = await rawConnect();
      socket.write(mqttPacket.generate({ cmd: 'pingreq' }));
      expect(await closedWithin(socket)).toBe(true);
    });

    it('should refuse an empty client id with a persistent 3.1.1 session (return code 2)', async () => {
      // MQTT.js refuses to send this, so it goes raw.
      const socket = await rawConnect();
      const reply = new Promise<Buffer>((resolve) => socket.once('data', resolve));
      // CONNECT "MQTT" level 4, flags 0 (clean session off), keepalive 10, empty client id.
      socket.write(Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x00, 0x00, 0x0a, 0x00, 0x00]));
      expect([...(await reply)]).toEqual([0x20, 0x02, 0x00, 0x02]);
      expect(await closedWithin(socket)).toBe(true);
    });

    it('should answer an unsupported protocol version with return code 1', async () => {
      const socket = await rawConnect();
      const reply = new Promise<Buffer>((resolve) => socket.once('data', resolve));
      // CONNECT, protocol name MQTT, level 7.
      socket.write(Buffer.from([0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x07, 0x02, 0x00, 0x3c, 0x00, 0x01, 0x61]));
      expect([...(await reply)]).toEqual([0x20, 0x02, 0x00, 0x01]);
      expect(await closedWithin(socket)).toBe(true);
    });

    it('should close a client sending a packet over the maximum size, and keep serving others', async () => {
      const bystander = await h.connect();
      const got = inbox(bystander);
      await bystander.subscribeAsync('t');
      const big = await h.connect({ protocolVersion: 5 });
      const closed = new Promise((resolve) => big.stream.once('close', resolve));
      big.publish('t', Buffer.alloc(4096));
      await closed;
      const other = await h.connect();
      await other.publishAsync('t', 'still fine', { qos: 1 });
      await eventually(() => expect(got.map((m) => m.payload)).toEqual(['still fine']));
    });

    it('should deliver every publish in order whatever the chunk boundaries, a frame cut even inside its fixed header', async () => {
      const watcher = await h.connect({ protocolVersion: 5 });
      const got = inbox(watcher);
      await watcher.subscribeAsync('cut/#', { qos: 1 });
      const socket = await rawConnect();
      socket.setNoDelay(true);
      socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'cutter', keepalive: 30 }));
      const count = 300;
      const stream = Buffer.concat(
        Array.from({ length: count }, (_, i) =>
          mqttPacket.generate({ cmd: 'publish', topic: `cut/${i}`, payload: Buffer.alloc((i * 37) % 900, i % 256), qos: (i % 2) as 0 | 1, retain: false, dup: false, messageId: i + 1 }),
        ),
      );
      // Pieces of 1, 2, 3, 7, 64, 333 and 1,000 bytes, each its own TCP segment.
      const sizes = [1, 2, 3, 7, 64, 333, 1_000];
      for (let at = 0, n = 0; at < stream.length; n++) {
        const size = sizes[n % sizes.length];
        socket.write(stream.subarray(at, at + size));
        at += size;
        await sleep(1);
      }
      await eventually(() => expect(got).toHaveLength(count), 10_000);
      expect(got.map((m) => m.topic)).toEqual(Array.from({ length: count }, (_, i) => `cut/${i}`));
      expect(got.every((m, i) => m.payload.length === (i * 37) % 900)).toBe(true);
      socket.destroy();
    });

    it('should close a client whose frame, cut across chunks, declares more than the maximum size', async () => {
      const socket = await rawConnect();
      socket.setNoDelay(true);
      socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'huge', keepalive: 30 }));
      await sleep(50);
      const big = mqttPacket.generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(4_096), qos: 0, retain: false, dup: false });
      socket.write(big.subarray(0, 2)); // the fixed header, cut inside its Remaining Length
      await sleep(20);
      socket.write(big.subarray(2, 100));
      expect(await closedWithin(socket)).toBe(true);
    });

    it('should drop a client that goes silent past 1.5 x keepalive, and publish its will', async () => {
      const watcher = await h.connect();
      const got = inbox(watcher);
      await watcher.subscribeAsync('wills/+');
      const socket = await rawConnect();
      socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'silent', keepalive: 1, will: { topic: 'wills/silent', payload: Buffer.from('timeout'), qos: 0, retain: false } }));
      expect(await closedWithin(socket, 4_000)).toBe(true);
      await eventually(() => expect(got.map((m) => m.payload)).toEqual(['timeout']));
    }, 10_000); // more than the 4 s the close may take, and the will after it

    it('should survive random and mutated packets without disturbing other clients', async () => {
      const bystander = await h.connect({ protocolVersion: 5 });
      const got = inbox(bystander);
      await bystander.subscribeAsync('fuzz/ok', { qos: 1 });
      const valid = [
        mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, clientId: 'f', keepalive: 10 }),
        mqttPacket.generate({ cmd: 'publish', topic: 'fuzz/x', payload: Buffer.from('p'), qos: 1, retain: false, dup: false, messageId: 7 }, { protocolVersion: 5 }),
        mqttPacket.generate({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'a/#', qos: 1 }] }, { protocolVersion: 5 }),
      ];
      let seed = 42;
      const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      for (let round = 0; round < 60; round++) {
        const socket = await rawConnect();
        socket.on('error', () => undefined);
        const frames = valid.map((frame) => {
          const copy = Buffer.from(frame);
          if (round % 3 === 0) return Buffer.from(Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * 256)));
          for (let flips = 0; flips < 3; flips++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
          return copy;
        });
        socket.write(Buffer.concat(frames));
        await sleep(5);
        socket.destroy();
      }
      const pub = await h.connect();
      await pub.publishAsync('fuzz/ok', 'alive', { qos: 1 });
      await eventually(() => expect(got.map((m) => m.payload)).toEqual(['alive']));
      expect(bystander.connected).toBe(true);
    });
  });

  describe('a client’s own bytes for onPublished', () => {
    type Seen = { topic: string; packet?: Buffer; buffer?: Buffer; start?: number };
    let seen: Seen[];
    beforeEach(async () => {
      seen = [];
      h = await BrokerHarness.start({
        hooks: {
          ...defaultHooks({ allowAnonymous: true }),
          // The bytes are valid during the call only: copied here.
          onPublished: (message, _client, bytes) =>
            seen.push({ topic: message.topic, packet: bytes && Buffer.from(bytes.buffer.subarray(bytes.start, bytes.end)), buffer: bytes?.buffer, start: bytes?.start }),
        },
      });
    });
    const parsed = (bytes: Buffer, protocolVersion: 4 | 5) => {
      const packets: mqttPacket.Packet[] = [];
      const parser = mqttPacket.parser({ protocolVersion });
      parser.on('packet', (packet) => packets.push(packet));
      parser.parse(bytes);
      return packets;
    };

    it.each([4, 5] as const)('should be the PUBLISH packet exactly as the %i client sent it, properties and all', async (protocolVersion) => {
      const pub = await h.connect({ protocolVersion });
      await pub.publishAsync('t/plain', 'a', { qos: 1 });
      if (protocolVersion === 5) await pub.publishAsync('t/props', 'b', { qos: 0, properties: { contentType: 'text/plain', userProperties: { k: 'v' } } });
      await eventually(() => expect(seen).toHaveLength(protocolVersion === 5 ? 2 : 1));
      const [plain, props] = seen.map((s) => parsed(s.packet!, protocolVersion));
      expect(plain).toEqual([expect.objectContaining({ cmd: 'publish', topic: 't/plain', qos: 1, payload: Buffer.from('a') })]);
      if (props) expect(props).toEqual([expect.objectContaining({ topic: 't/props', payload: Buffer.from('b'), properties: { contentType: 'text/plain', userProperties: { k: 'v' } } })]);
    });

    it('should give packets read together as back-to-back ranges of the same bytes', async () => {
      const pub = await h.connect();
      const socket = (pub as unknown as { stream: Socket }).stream;
      const packets = ['r/1', 'r/2', 'r/3'].map((topic) => mqttPacket.generate({ cmd: 'publish', topic, payload: Buffer.from(topic), qos: 0, retain: false, dup: false }));
      socket.write(Buffer.concat(packets));
      await eventually(() => expect(seen.map((s) => s.topic)).toEqual(['r/1', 'r/2', 'r/3']));
      expect(new Set(seen.map((s) => s.buffer)).size).toBe(1);
      expect(seen.map((s) => s.start! - seen[0].start!)).toEqual([0, packets[0].length, packets[0].length + packets[1].length]);
      expect(Buffer.concat(seen.map((s) => s.packet!))).toEqual(Buffer.concat(packets));
    });

    it('should give none for a 5.0 publish whose topic came as an alias alone, nor for a will', async () => {
      const pub = await h.connect({ protocolVersion: 5, will: { topic: 'w/gone', payload: Buffer.from('bye'), qos: 0, retain: false } });
      await pub.publishAsync('alias/full', 'first', { qos: 1, properties: { topicAlias: 1 } });
      await pub.publishAsync('', 'second', { qos: 1, properties: { topicAlias: 1 } });
      (pub as unknown as { stream: Socket }).stream.destroy();
      await eventually(() => expect(seen.map((s) => [s.topic, s.packet !== undefined])).toEqual([['alias/full', true], ['alias/full', false], ['w/gone', false]]));
    });
  });

  describe('onDelivered for tracked messages only', () => {
    it('should call onDelivered only for messages with a trackingId, at QoS 0 and on QoS 1 acknowledgement', async () => {
      const delivered: string[] = [];
      h = await BrokerHarness.start({
        hooks: { ...defaultHooks({ allowAnonymous: true }), onDelivered: (_client, message) => delivered.push(`${message.topic}:${message.trackingId}`), onDeliveredTrackedOnly: true },
      });
      const sub = await h.connect({ protocolVersion: 5 });
      const got = inbox(sub);
      await sub.subscribeAsync('d/#', { qos: 1 });
      const pub = await h.connect();
      await pub.publishAsync('d/untracked', 'a', { qos: 0 });
      await pub.publishAsync('d/untracked', 'b', { qos: 1 });
      for (const qos of [0, 1] as const) h.broker.publish({ projectId: 'default', topic: `d/tracked-${qos}`, payload: Buffer.from('c'), qos, retain: false, trackingId: `t${qos}` });
      await eventually(() => expect(got).toHaveLength(4));
      await eventually(() => expect(delivered.sort()).toEqual(['d/tracked-0:t0', 'd/tracked-1:t1']));
    });
  });
});
