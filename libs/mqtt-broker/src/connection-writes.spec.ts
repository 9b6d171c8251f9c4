import { Duplex } from 'node:stream';
import mqttPacket, { IPublishPacket, Packet } from 'mqtt-packet';
import { eventually } from '../test/broker-harness';
import { Broker } from './broker';
import { defaultHooks } from './hooks';

/** An in-memory client stream: what the broker writes is kept, chunk by chunk, as written. */
function clientStream(): { stream: Duplex; writes: Buffer[]; packets: Packet[]; send(packets: Record<string, unknown>[]): void } {
  const writes: Buffer[] = [];
  const packets: Packet[] = [];
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  parser.on('packet', (packet: Packet) => packets.push(packet));
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk);
      parser.parse(chunk);
      done();
    },
  });
  const send = (list: Record<string, unknown>[]) => stream.push(Buffer.concat(list.map((packet) => mqttPacket.generate(packet as unknown as Packet, { protocolVersion: 5 }))));
  return { stream, writes, packets, send };
}

const connect = (clientId: string) => ({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId, clean: true, keepalive: 0 });

describe('Connection writes', () => {
  it('should write what one long read delivers in pieces of about 64 KiB as it goes, not all at the end of the turn', async () => {
    const broker = new Broker({ hooks: defaultHooks({ allowAnonymous: true }) });
    const subscriber = clientStream();
    const publisher = clientStream();
    broker.handle(subscriber.stream, 'test-sub');
    broker.handle(publisher.stream, 'test-pub');
    subscriber.send([connect('sub'), { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'flood/+', qos: 0 }] }]);
    publisher.send([connect('pub')]);
    await eventually(() => expect(subscriber.packets.map((p) => p.cmd)).toEqual(['connack', 'suback']));
    await eventually(() => expect(publisher.packets.map((p) => p.cmd)).toEqual(['connack']));

    // 10,000 small publishes (260 KB to deliver) in one chunk, as a busy socket's read hands them over.
    const count = 10_000;
    const flood = Array.from({ length: count }, (_, i) => ({ cmd: 'publish', topic: 'flood/a', payload: Buffer.from(`message-${String(i).padStart(6, '0')}`), qos: 0, retain: false, dup: false }));
    const writesBefore = subscriber.writes.length;
    publisher.send(flood);
    // Still inside the turn that read the chunk: most of it has gone out already, in writes
    // of at most 64 KiB plus one packet — not held (every packet a live object) to the turn's end.
    const during = subscriber.writes.slice(writesBefore);
    expect(during.length).toBe(3);
    for (const write of during) expect(write.length).toBeLessThanOrEqual(64 * 1024 + 64);
    expect(during.reduce((bytes, write) => bytes + write.length, 0)).toBeGreaterThan(260_000 - 64 * 1024);

    await eventually(() => expect(subscriber.packets.filter((p) => p.cmd === 'publish')).toHaveLength(count));
    const payloads = subscriber.packets.filter((p): p is IPublishPacket => p.cmd === 'publish').map((p) => p.payload.toString());
    expect(payloads).toEqual(flood.map((p) => p.payload.toString())); // all of them, in order
    broker.close();
  });

  it('should leave mqtt-packet without its cache of 65,536 packet-id Buffers', () => {
    // Loaded with the broker; the cache would otherwise be built on the first generate().
    expect(mqttPacket.writeToStream.cacheNumbers).toBe(false);
    const puback = mqttPacket.generate({ cmd: 'puback', messageId: 513 } as Packet, { protocolVersion: 4 });
    expect([...puback]).toEqual([0x40, 0x02, 0x02, 0x01]);
  });
});
