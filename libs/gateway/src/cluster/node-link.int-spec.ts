import Redis from 'ioredis';
import { eventually, testInfra } from '@iot/testing';
import { ClusterChannels, ClusterKeys } from './cluster-keys';
import { FORWARD_FRAME_MAGIC } from './forward-frame';
import { NodeEnvelope, NodeLink } from './node-link';
import { NodeLiveness } from './node-liveness';

/** Nodes of two releases in one cluster (a rolling upgrade), on the real Redis. */
describe('NodeLink across releases', () => {
  const prefix = `node-link-${process.pid}-${Date.now()}:`;
  let redis: Redis;
  let watcher: Redis;
  const links: NodeLink[] = [];
  let liveness: NodeLiveness | undefined;

  beforeAll(() => {
    redis = new Redis(testInfra.redisUrl, { keyPrefix: prefix, maxRetriesPerRequest: 1 });
    watcher = new Redis(testInfra.redisUrl, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await liveness?.stop();
    await Promise.all(links.map((link) => link.close()));
    await redis.del(ClusterKeys.nodes, ClusterKeys.alive('older'), ClusterKeys.alive('newer'));
    await Promise.all([redis.quit(), watcher.quit()]);
  });

  it('should forward publishes as binary frames to a node that announces it reads them, as JSON to an older node, and both read what they get', async () => {
    // An older release's entry says nothing about frames; a current one announces them.
    await redis.hset(ClusterKeys.nodes, 'older', JSON.stringify({ startedAt: '2026-11-01T00:00:00.000Z' }));
    await redis.hset(ClusterKeys.nodes, 'newer', JSON.stringify({ ...NodeLink.announcement, startedAt: '2026-12-01T00:00:00.000Z' }));
    for (const node of ['older', 'newer']) await redis.set(ClusterKeys.alive(node), '1', 'PX', 60_000);

    const received = new Map<string, NodeEnvelope[]>();
    const startLink = async (node: string) => {
      const link = new NodeLink(
        redis,
        node,
        (envelope) => received.set(node, [...(received.get(node) ?? []), envelope]),
        () => undefined,
        (error) => {
          throw error;
        },
      );
      await link.start();
      links.push(link);
      return link;
    };
    const sender = await startLink('sender');
    await startLink('older'); // today's code reading JSON, as an older node does
    await startLink('newer');
    // The sender learns the nodes list when it joins (and at every heartbeat after).
    liveness = new NodeLiveness(redis, {
      nodeId: 'sender',
      heartbeatMs: 60_000,
      ttlMs: 60_000,
      announce: NodeLink.announcement,
      onDeadNode: async () => undefined,
      onNodes: (nodes) => sender.setNodes(nodes),
      onError: (error) => {
        throw error;
      },
    });
    await liveness.start();
    expect(JSON.parse((await redis.hget(ClusterKeys.nodes, 'sender'))!)).toMatchObject(NodeLink.announcement);

    const firstBytes = new Map<string, number>();
    const tap = watcher.duplicate();
    tap.on('messageBuffer', (channel: Buffer, data: Buffer) => firstBytes.set(channel.toString(), data[0]));
    await tap.subscribe(ClusterChannels.node(prefix, 'older'), ClusterChannels.node(prefix, 'newer'));

    const batch: NodeEnvelope = {
      type: 'publish',
      from: 'sender',
      batch: 1,
      items: [{ message: { projectId: 'p1', topic: 'meters/1', payload: Buffer.from([0, 1, 255]), qos: 1, retain: false, origin: 'meter-1' }, groups: ['g/meters/+'] }],
    };
    sender.send('older', batch);
    sender.send('newer', batch);
    await eventually(() => expect(firstBytes.size).toBe(2), 5_000);
    expect(firstBytes.get(ClusterChannels.node(prefix, 'older'))).toBe('{'.charCodeAt(0));
    expect(firstBytes.get(ClusterChannels.node(prefix, 'newer'))).toBe(FORWARD_FRAME_MAGIC);
    await eventually(() => {
      expect(received.get('older')).toEqual([batch]);
      expect(received.get('newer')).toEqual([batch]);
    }, 5_000);
    await tap.quit();
  });
});
