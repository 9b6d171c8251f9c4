import { SubscriptionIndex, SubscriptionOptions } from './subscription-index';

const opts = (qos: 0 | 1 | 2 = 0): SubscriptionOptions => ({ qos, noLocal: false, retainAsPublished: false, retainHandling: 0 });

function matches(index: SubscriptionIndex, project: string, topic: string): string[] {
  const seen: string[] = [];
  index.match(project, topic, (clientId, _o, filter) => seen.push(`${clientId}:${filter}`));
  return seen.sort();
}

describe(SubscriptionIndex.name, () => {
  describe('match', () => {
    it.each([
      ['sport/tennis/player1', 'sport/tennis/player1', true],
      ['sport/tennis/player1/#', 'sport/tennis/player1', true], // [MQTT-4.7.1-2] parent level
      ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
      ['sport/#', 'sport', true],
      ['#', 'a/b/c', true],
      ['sport/+', 'sport/', true], // empty level
      ['sport/+', 'sport', false],
      ['+/+', '/finance', true],
      ['/+', '/finance', true],
      ['+', '/finance', false],
      ['sport/+/player1', 'sport/tennis/player1', true],
      ['sport/+/player1', 'sport/tennis/player2', false],
      ['#', '$SYS/broker', false], // [MQTT-4.7.2-1]
      ['+/monitor/Clients', '$SYS/monitor/Clients', false],
      ['$SYS/#', '$SYS/monitor/Clients', true],
      ['$SYS/monitor/+', '$SYS/monitor/Clients', true],
      ['a/b', 'A/b', false], // case sensitive
    ])('should match filter %p against topic %p: %p', (filter, topic, expected) => {
      const index = new SubscriptionIndex();
      index.add('p', filter, 'c1', opts());
      expect(matches(index, 'p', topic)).toEqual(expected ? [`c1:${filter}`] : []);
    });

    it('should report every overlapping filter of a client', () => {
      const index = new SubscriptionIndex();
      index.add('p', 'a/+', 'c1', opts(0));
      index.add('p', 'a/#', 'c1', opts(2));
      index.add('p', 'a/b', 'c2', opts(1));
      expect(matches(index, 'p', 'a/b')).toEqual(['c1:a/#', 'c1:a/+', 'c2:a/b']);
    });

    it('should keep projects apart, even for #', () => {
      const index = new SubscriptionIndex();
      index.add('project-a', '#', 'c1', opts());
      expect(matches(index, 'project-b', 'anything')).toEqual([]);
      expect(matches(index, 'project-a', 'anything')).toEqual(['c1:#']);
    });
  });

  describe('add and remove', () => {
    it('should replace a subscription to the same filter and count it once', () => {
      const index = new SubscriptionIndex();
      expect(index.add('p', 'a/b', 'c1', opts(0))).toBe(false);
      expect(index.add('p', 'a/b', 'c1', opts(2))).toBe(true);
      expect(index.size).toBe(1);
      index.match('p', 'a/b', (_c, o) => expect(o.qos).toBe(2));
    });

    it('should remove subscriptions and prune the trie', () => {
      const index = new SubscriptionIndex();
      index.add('p', 'a/b/c', 'c1', opts());
      index.add('p', 'a/b', 'c2', opts());
      expect(index.remove('p', 'a/b/c', 'c1')).toBe(true);
      expect(index.remove('p', 'a/b/c', 'c1')).toBe(false);
      expect(index.remove('p', 'x', 'c1')).toBe(false);
      expect(matches(index, 'p', 'a/b')).toEqual(['c2:a/b']);
      expect(index.remove('p', 'a/b', 'c2')).toBe(true);
      expect(index.size).toBe(0);
      expect((index as unknown as { roots: Map<string, unknown> }).roots.size).toBe(0);
    });
  });
});
