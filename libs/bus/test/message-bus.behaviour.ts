import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { BusRecord, Headers, RegistryProjectChanged, RegistryProjectChangedValue, deadLetterTopicOf, encodeRecord } from '@iot/contracts';
import { PermanentRecordError, consumeContract } from '../src';
import { BusSubscription, MessageBus } from '../src/message-bus';

/** Resolves once `check` returns without throwing; fails with its last error after `timeoutMs`. */
export async function eventually<T>(check: () => T, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const silent = pino({ level: 'silent' });

/**
 * The behaviour every MessageBus must have; run against the in-process bus (unit tier) and
 * against Kafka (integration tier), so both adapters provably mean the same thing.
 */
export function describeMessageBus(name: string, createBus: () => Promise<MessageBus>): void {
  describe(name, () => {
    let bus: MessageBus;
    const subscriptions: BusSubscription[] = [];
    const run = randomUUID().slice(0, 8);
    const topic = (suffix: string) => `test.${run}.${suffix}.v1`;

    const collect = async (groupId: string, topics: string[], fromBeginning = true) => {
      const seen: BusRecord[] = [];
      subscriptions.push(await bus.subscribe({ groupId: `${groupId}-${run}`, topics, fromBeginning, handler: async (r) => void seen.push(r) }));
      return seen;
    };

    const project = (projectId: string, change: RegistryProjectChangedValue['change'] = 'created'): RegistryProjectChangedValue => ({
      projectId,
      change,
      name: projectId,
      occurredAt: new Date().toISOString(),
    });

    beforeAll(async () => {
      bus = await createBus();
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.close()));
    });

    afterAll(async () => {
      await bus.close();
    });

    describe('send and subscribe', () => {
      it('should deliver key, value and headers intact', async () => {
        const t = topic('intact');
        const seen = await collect('intact', [t]);
        await bus.send([{ topic: t, key: 'k1', value: Buffer.from('hello'), headers: { h: 'v' } }]);
        const [record] = await eventually(() => {
          expect(seen).toHaveLength(1);
          return seen;
        });
        expect(record).toEqual({ topic: t, key: 'k1', value: Buffer.from('hello'), headers: { h: 'v' } });
      });

      it('should deliver a value sent in parts as the parts back to back, in a buffer of its own', async () => {
        const t = topic('parts');
        const seen = await collect('parts', [t]);
        const read = Buffer.from('0123456789abcdef'.repeat(8));
        const parts = [read.subarray(0, 5), read.subarray(5, 5), read.subarray(40, 128), Buffer.from('!')];
        await bus.send([
          { topic: t, key: 'k1', value: parts, headers: {} },
          { topic: t, key: 'k1', value: [], headers: {} },
        ]);
        read.fill(0); // the producer's buffers are its own again once the send resolved
        await eventually(() => expect(seen).toHaveLength(2));
        expect(seen[0].value!.toString()).toBe(`01234${'0123456789abcdef'.repeat(8).slice(40)}!`);
        expect(seen[1].value).toEqual(Buffer.alloc(0));
      });

      it('should give every group its own copy and keep per-key order', async () => {
        const t = topic('groups');
        const a = await collect('group-a', [t]);
        const b = await collect('group-b', [t]);
        const records = Array.from({ length: 20 }, (_, i) => ({ topic: t, key: 'same-device', value: Buffer.from(String(i)), headers: {} }));
        await bus.send(records);
        for (const seen of [a, b]) {
          await eventually(() => expect(seen).toHaveLength(20));
          expect(seen.map((r) => r.value!.toString())).toEqual(records.map((r) => r.value.toString()));
        }
      });

      it('should redeliver a record whose handler failed transiently', async () => {
        const t = topic('retry');
        let attempts = 0;
        const handled: string[] = [];
        subscriptions.push(
          await bus.subscribe({
            groupId: `retry-${run}`,
            topics: [t],
            fromBeginning: true,
            handler: async (record) => {
              if (++attempts === 1) throw new Error('database briefly away');
              handled.push(record.value!.toString());
            },
          }),
        );
        await bus.send([{ topic: t, key: 'k', value: Buffer.from('once'), headers: {} }]);
        await eventually(() => expect(handled).toEqual(['once']));
        expect(attempts).toBe(2);
      });

      it('should answer ping while connected', async () => {
        await expect(bus.ping()).resolves.toBeUndefined();
      });
    });

    describe(consumeContract.name, () => {
      it('should hand valid values to the handler and dead-letter malformed and unknown-version records, then keep going', async () => {
        const handled: RegistryProjectChangedValue[] = [];
        const dlt = await collect('dlt-reader', [deadLetterTopicOf(RegistryProjectChanged.topic)], false);
        subscriptions.push(
          await consumeContract(bus, {
            contract: RegistryProjectChanged,
            groupId: `contract-${run}`,
            logger: silent,
            handle: async (value) => void handled.push(value),
          }),
        );
        const good = encodeRecord(RegistryProjectChanged, project(`p-${run}-1`), 'test');
        const malformed: BusRecord = { ...good, key: `bad-json-${run}`, value: Buffer.from('{"projectId":') };
        const future: BusRecord = { ...good, key: `future-${run}`, headers: { ...good.headers, [Headers.SchemaVersion]: '99' } };
        const invalid: BusRecord = { ...good, key: `invalid-${run}`, value: Buffer.from(JSON.stringify({ projectId: '!!', change: 'created' })) };
        const after = encodeRecord(RegistryProjectChanged, project(`p-${run}-2`), 'test');
        await bus.send([good, malformed, future, invalid, after]);

        // The topic is shared with other suites, and records of different keys have no mutual order.
        const mineHandled = () => handled.map((v) => v.projectId).filter((id) => id.startsWith(`p-${run}-`)).sort();
        await eventually(() => expect(mineHandled()).toEqual([`p-${run}-1`, `p-${run}-2`]));
        const mine = await eventually(() => {
          const own = dlt.filter((r) => r.headers[Headers.DeadLetterConsumerGroup] === `contract-${run}`);
          expect(own).toHaveLength(3);
          return own;
        });
        const byKey = Object.fromEntries(mine.map((r) => [r.key, r]));
        expect(byKey[`bad-json-${run}`].headers[Headers.DeadLetterReason]).toMatch(/not valid JSON/);
        expect(byKey[`bad-json-${run}`].value!.toString()).toBe('{"projectId":');
        expect(byKey[`future-${run}`].headers[Headers.DeadLetterReason]).toMatch(/unknown schema version "99"/);
        expect(byKey[`invalid-${run}`].headers[Headers.DeadLetterReason]).toMatch(/projectId: .*occurredAt: /);
        expect(byKey[`invalid-${run}`].headers[Headers.DeadLetterSourceTopic]).toBe(RegistryProjectChanged.topic);
      });

      it('should dead-letter a record the handler rejects as permanent', async () => {
        const dlt = await collect('dlt-reader-2', [deadLetterTopicOf(RegistryProjectChanged.topic)], false);
        subscriptions.push(
          await consumeContract(bus, {
            contract: RegistryProjectChanged,
            groupId: `permanent-${run}`,
            logger: silent,
            handle: async (value) => {
              if (value.projectId === `reject-${run}`) throw new PermanentRecordError('project is on the deny list');
            },
          }),
        );
        await bus.send([encodeRecord(RegistryProjectChanged, project(`reject-${run}`, 'updated'), 'test')]);
        const [record] = await eventually(() => {
          const own = dlt.filter((r) => r.headers[Headers.DeadLetterConsumerGroup] === `permanent-${run}`);
          expect(own).toHaveLength(1);
          return own;
        });
        expect(record.key).toBe(`reject-${run}`);
        expect(record.headers[Headers.DeadLetterReason]).toBe('project is on the deny list');
      });
    });
  });
}
