/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * `patches/kafkajs+2.2.4.patch` (applied by patch-package on install) replaces kafkajs's
 * per-record producer encoding, partitioner hash, CRC-32C and record decoding with
 * one-pass versions, and writes a produce request to the socket as chunks (its record sets
 * as they were encoded) instead of copying them into one buffer; the record set encoder takes
 * a value in parts too (an array of buffers, written back to back). These check them against
 * kafkajs's own general code and Kafka's published test vectors, byte for byte.
 */
import { AddressInfo, createServer } from 'node:net';
const Encoder = require('kafkajs/src/protocol/encoder');
const Decoder = require('kafkajs/src/protocol/decoder');
const Long = require('kafkajs/src/utils/long');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0');
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const decodeRecordBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const encodeRecordSet = require('kafkajs/src/protocol/recordBatch/v0/encodeRecordSet');
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C');
// What the record batch encoder calls: the native CRC-32C where its binary exists, else the above.
const recordBatchCrc32C = require('kafkajs/src/protocol/recordBatch/crc32C');
const createRequest = require('kafkajs/src/protocol/request');
const ProduceV3 = require('kafkajs/src/protocol/requests/produce/v3/request');
const Chunks = require('kafkajs/src/protocol/chunks');
const Connection = require('kafkajs/src/network/connection');
const socketFactory = require('kafkajs/src/network/socketFactory');
const { createLogger, LEVELS } = require('kafkajs/src/loggers');
const murmur2 = require('kafkajs/src/producer/partitioners/default/murmur2');
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition');

interface Message {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer | (string | Buffer)[]>;
}

const messages: Message[] = [
  { key: 'p1/device-1', value: Buffer.from('{"t":21.5}'), headers: { 'schema-version': '1', 'event-type': 'GatewayDeviceMessage', 'iot-mqtt': '{"topic":"a/b"}' } },
  { key: null, value: null },
  { key: Buffer.from([0, 255, 7]), value: '', headers: {} },
  { key: 'ünïcødé ✓', value: 'ßtring välue 🚀', headers: { 'h-ü': 'wert ✓', repeated: ['one', Buffer.from('two'), 'three'] } },
  { value: Buffer.alloc(300, 1), headers: { empty: '' } },
];

/** What kafkajs encodes through RecordBatch + Record (the path the patch bypasses). */
async function generalEncoding(partition: number, batch: Message[], firstTimestamp: number, producerId: unknown, producerEpoch: number, firstSequence: number): Promise<Buffer> {
  const records = batch.map((message, i) => Record({ ...message, offsetDelta: i, timestampDelta: 0 }));
  const recordBatch = await RecordBatch({ records, firstTimestamp, maxTimestamp: firstTimestamp, producerId, producerEpoch, firstSequence, lastOffsetDelta: records.length - 1 });
  return new Encoder().writeInt32(partition).writeInt32(recordBatch.size()).writeEncoder(recordBatch).buffer;
}

describe('kafkajs patch', () => {
  it('should encode a record set byte for byte as kafkajs RecordBatch and Record do', async () => {
    const long = 'ü-long-'.repeat(20); // past the short-string cache and the byte-by-byte copy
    const strings = [{ key: long, value: long, headers: { [long]: long, short: 'äö', repeated: [long, 'x'] } }];
    // Each batch twice: strings converted the first time are looked up the second.
    for (const batch of [messages, messages, messages.slice(0, 1), strings, strings, Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(i), headers: { n: String(i) } }))]) {
      const at = 1_795_000_000_123;
      const fast = encodeRecordSet({ partition: 2, messages: batch, firstTimestamp: at, producerId: Long.fromValue(4242), producerEpoch: 3, firstSequence: 17, transactional: false }).buffer;
      expect(fast.equals(await generalEncoding(2, batch, at, Long.fromValue(4242), 3, 17))).toBe(true);
    }
  });

  it('should encode a value in parts as the same value in one buffer, on both produce paths', async () => {
    const whole = Buffer.from(Array.from({ length: 1_000 }, (_, i) => (i * 7) & 0xff));
    // Parts of every kind: short (copied byte by byte elsewhere), empty, long, views of one buffer.
    const parts = [whole.subarray(0, 3), whole.subarray(3, 3), whole.subarray(3, 40), whole.subarray(40, 999), whole.subarray(999)];
    const inParts = [{ key: 'p1/c1', value: parts, headers: { n: '1' } }, messages[0], { key: 'p1/c2', value: [whole.subarray(0, 200)] }];
    const inOne = [{ key: 'p1/c1', value: whole, headers: { n: '1' } }, messages[0], { key: 'p1/c2', value: whole.subarray(0, 200) }];
    const at = 1_795_000_000_123;
    const encode = (batch: unknown[]) => encodeRecordSet({ partition: 1, messages: batch, firstTimestamp: at, producerId: Long.fromValue(9), producerEpoch: 0, firstSequence: 3, transactional: false }).buffer;
    expect(encode(inParts).equals(encode(inOne))).toBe(true);
    expect(encode(inParts).equals(await generalEncoding(1, inOne, at, Long.fromValue(9), 0, 3))).toBe(true);
    // A message with a timestamp takes kafkajs's general path: its parts are joined there.
    const timed = (batch: { key: string | Buffer | null; value: unknown }[]) => [{ topic: 't', partitions: [{ partition: 0, firstSequence: 0, messages: batch.map((m) => ({ ...m, timestamp: String(at) })) }] }];
    const request = (batch: { key: string | Buffer | null; value: unknown }[]) => ProduceV3({ acks: -1, timeout: 1_000, producerId: Long.fromInt(7), producerEpoch: 1, topicData: timed(batch) });
    const general = (await atFixedTime<InChunks>(() => request(inParts as never).encode())).buffer;
    expect(general.equals((await atFixedTime<InChunks>(() => request(inOne as never).encode())).buffer)).toBe(true);
    const decoded = await decodeRecordBatch(new Decoder(encode(inParts).subarray(8)));
    expect(decoded.records.map((r: { value: Buffer | null }) => r.value && r.value.length)).toEqual([1_000, 10, 200]);
    expect(decoded.records[0].value.equals(whole)).toBe(true);
  });

  it('should decode what it encodes: offsets, timestamps, keys, values and repeated headers', async () => {
    const at = 1_795_000_000_123;
    const encoded = encodeRecordSet({ partition: 0, messages, firstTimestamp: at, producerId: Long.fromValue(-1), producerEpoch: 0, firstSequence: 0, transactional: false }).buffer;
    const decoded = await decodeRecordBatch(new Decoder(encoded.subarray(8)));
    expect(decoded.records.map((r: { offset: string }) => r.offset)).toEqual(['0', '1', '2', '3', '4']);
    expect(decoded.records.every((r: { timestamp: string }) => r.timestamp === String(at))).toBe(true);
    const fourth = decoded.records[3];
    expect(fourth.key.toString()).toBe('ünïcødé ✓');
    expect(fourth.value.toString()).toBe('ßtring välue 🚀');
    expect(fourth.headers['h-ü'].toString()).toBe('wert ✓');
    expect(fourth.headers.repeated.map(String)).toEqual(['one', 'two', 'three']);
    expect(decoded.records[1].key).toBeNull();
    expect(decoded.records[1].value).toBeNull();
  });

  it('should decode varlongs of every size as before', () => {
    for (const value of [0, 1, -1, 63, -64, 64, -65, 1_000, 2 ** 31, -(2 ** 40), Number.MAX_SAFE_INTEGER]) {
      expect(String(new Decoder(new Encoder().writeVarLong(value).buffer).readVarLong().value)).toBe(String(value));
    }
  });

  it('should hash keys as Kafka murmur2 does (its own test vectors)', () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of vectors) expect(murmur2(key)).toBe(hash);
  });

  it('should compute CRC-32C (its check value and any length)', () => {
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32C(Buffer.alloc(0))).toBe(0);
    // Every length around the eight-byte steps against a bytewise reference.
    const bytewise = (buffer: Buffer) => {
      let crc = ~0;
      for (const byte of buffer) {
        crc ^= byte;
        for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
      }
      return ~crc >>> 0;
    };
    for (let length = 1; length < 40; length++) {
      const data = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + length) & 0xff));
      expect(crc32C(data)).toBe(bytewise(data));
    }
  });

  it('should give the record batch encoder the native CRC-32C (same results as the JavaScript one)', () => {
    const { crc32c } = require('@node-rs/crc32');
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    for (const length of [0, 1, 7, 8, 9, 100, 4096, 100_003]) {
      const data = Buffer.from(Array.from({ length }, (_, i) => (i * 131 + length) & 0xff));
      expect(recordBatchCrc32C(data)).toBe(crc32C(data));
      expect(recordBatchCrc32C(data)).toBe(crc32c(data));
    }
  });

  it('should frame a request as kafkajs does: size, api key and version, correlation id, client id, payload', async () => {
    const payload = Buffer.from(Array.from({ length: 5_000 }, (_, i) => i & 0xff));
    const encoder = new Encoder();
    encoder.writeBufferInternal(payload);
    const request = { apiKey: 0, apiVersion: 3, encode: async () => encoder };
    const framed: Buffer = (await createRequest({ correlationId: 42, clientId: 'gw-ü', request })).buffer;
    const header = new Encoder().writeInt16(0).writeInt16(3).writeInt32(42).writeString('gw-ü').buffer;
    const size = Buffer.alloc(4);
    size.writeInt32BE(header.length + payload.length);
    expect(framed.equals(Buffer.concat([size, header, payload]))).toBe(true);
  });

  const topicData = [
    { topic: 'gateway.device.message.v1', partitions: [{ partition: 0, firstSequence: 0, messages: messages.slice(0, 2) }, { partition: 2, firstSequence: 5, messages: messages.slice(2) }] },
    { topic: 'ünï', partitions: [{ partition: 1, firstSequence: 0, messages: [messages[0]] }] },
    { topic: 'no-partitions', partitions: [] },
  ];
  const FIRST_TIMESTAMP = 1_700_000_000_000;

  /** A request as kafkajs's patched encoders return it in chunks (protocol/chunks.js). */
  interface InChunks {
    chunks: Buffer[];
    size(): number;
    buffer: Buffer;
  }

  /** Runs `fn` with Date.now fixed: the record batches' first timestamp. */
  async function atFixedTime<T>(fn: () => Promise<T>): Promise<T> {
    const now = Date.now;
    Date.now = () => FIRST_TIMESTAMP;
    try {
      return await fn();
    } finally {
      Date.now = now;
    }
  }

  /** The produce request's payload as kafkajs's general encoders write it. */
  async function generalProduceRequest(): Promise<Buffer> {
    const expected = new Encoder().writeString(null).writeInt16(-1).writeInt32(30_000).writeInt32(topicData.length);
    for (const { topic, partitions } of topicData) {
      expected.writeString(topic).writeInt32(partitions.length);
      for (const { partition, firstSequence, messages: batch } of partitions) {
        expected.writeBufferInternal(await generalEncoding(partition, batch, FIRST_TIMESTAMP, Long.fromInt(7), 1, firstSequence));
      }
    }
    return expected.buffer;
  }

  const produceRequest = (acks = -1) => ProduceV3({ acks, timeout: 30_000, producerId: Long.fromInt(7), producerEpoch: 1, topicData });

  it('should encode a produce request, in chunks, as the general encoder does', async () => {
    const encoded = await atFixedTime<InChunks>(() => produceRequest().encode());
    expect(encoded).toBeInstanceOf(Chunks);
    // The request's fields before each record set, each record set, and the fields after the last.
    expect(encoded.chunks).toHaveLength(2 * 3 + 1);
    expect(encoded.size()).toBe(encoded.buffer.length);
    expect(encoded.buffer.equals(await atFixedTime(generalProduceRequest))).toBe(true);
  });

  it('should frame a request in chunks without copying its chunks: size and header first', async () => {
    const parts = [Buffer.from('abc'), Buffer.alloc(70_000, 9), Buffer.from([1, 2])];
    const framed = await createRequest({ correlationId: 7, clientId: 'gw', request: { apiKey: 0, apiVersion: 3, encode: async () => new Chunks(parts) } });
    expect(framed).toBeInstanceOf(Chunks);
    // The payload's buffers themselves, not copies.
    expect(framed.chunks.slice(1)).toHaveLength(parts.length);
    framed.chunks.slice(1).forEach((chunk: Buffer, i: number) => expect(chunk).toBe(parts[i]));
    const header = new Encoder().writeInt16(0).writeInt16(3).writeInt32(7).writeString('gw').buffer;
    const size = Buffer.alloc(4);
    size.writeInt32BE(header.length + 70_005);
    expect(framed.buffer.equals(Buffer.concat([size, header, ...parts]))).toBe(true);
  });

  it('should put on the socket exactly the bytes of the framed produce request', async () => {
    const received: Buffer[] = [];
    const server = createServer((socket) => socket.on('data', (data) => received.push(data)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const connection = new Connection({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      logger: createLogger({ level: LEVELS.NOTHING, logCreator: () => () => undefined }),
      socketFactory: socketFactory(),
      requestTimeout: 5_000,
      connectionTimeout: 5_000,
      clientId: 'gw-test',
    });
    try {
      await connection.connect();
      // acks 0: no response expected, the request is written and the send resolves.
      const request = produceRequest(0);
      await atFixedTime(() => connection.send({ request, response: {} }));
      const expected = (await atFixedTime<InChunks>(() => createRequest({ correlationId: 0, clientId: 'gw-test', request }))).buffer;
      const deadline = Date.now() + 5_000;
      while (Buffer.concat(received).length < expected.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(Buffer.concat(received).equals(expected)).toBe(true);
    } finally {
      await connection.disconnect();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('should group messages per partition in their order', () => {
    const grouped = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata: [{ partitionId: 0 }, { partitionId: 1 }],
      messages: ['a', 'b', 'c', 'd'].map((key) => ({ key })),
      partitioner: ({ message }: { message: { key: string } }) => (message.key === 'b' || message.key === 'd' ? 1 : 0),
    });
    expect(grouped).toEqual({ 0: [{ key: 'a' }, { key: 'c' }], 1: [{ key: 'b' }, { key: 'd' }] });
  });
});
