import { retainedOver } from '@iot/testing';
import { PacketIdMap } from './packet-id-map';

describe('PacketIdMap', () => {
  it('should get, set and delete by packet id across chunk boundaries, and count what it holds', () => {
    const map = new PacketIdMap<string>();
    for (const id of [1, 255, 256, 257, 65535]) map.set(id, `v${id}`);
    expect(map.size).toBe(5);
    expect(map.get(256)).toBe('v256');
    expect(map.has(65535)).toBe(true);
    expect(map.has(2)).toBe(false);
    expect(map.get(512)).toBeUndefined();
    expect(map.delete(256)).toBe(true);
    expect(map.delete(256)).toBe(false);
    expect(map.delete(9999)).toBe(false);
    expect(map.has(256)).toBe(false);
    expect(map.size).toBe(4);
  });

  it('should iterate in the order ids were first set, as a Map does, whatever the ids', () => {
    const map = new PacketIdMap<string>();
    const reference = new Map<number, string>();
    for (const [id, value] of [[65535, 'a'], [1, 'b'], [300, 'c'], [2, 'd'], [300, 'c2'], [40000, 'e']] as const) {
      map.set(id, value);
      reference.set(id, value);
    }
    map.delete(1);
    reference.delete(1);
    map.set(1, 'f');
    reference.set(1, 'f');
    expect(map.entries()).toEqual([...reference.entries()]);
    expect(map.keys()).toEqual([65535, 300, 2, 40000, 1]);
    expect(map.values()).toEqual(['a', 'c2', 'd', 'e', 'f']);
  });

  it('should refuse an id outside 1..65535 instead of holding it', () => {
    const map = new PacketIdMap<string>();
    for (const id of [0, 65536, -1, 1.5]) expect(() => map.set(id, 'x')).toThrow(RangeError);
    expect(map.size).toBe(0);
  });

  it('should let what passed through it die young though it lives long (a Map does not: see garbage.spec)', async () => {
    // The in-flight pattern of a QoS 1 flood: ids taken in a sweep, each acknowledged soon
    // after, the map itself old. 200 turns × 10 × 16 KiB pass through.
    const map = new PacketIdMap<Buffer>();
    let next = 1;
    const turn = () => {
      for (let i = 0; i < 10; i++) {
        map.set(next, Buffer.alloc(16 * 1024));
        map.delete(next > 5 ? next - 5 : next + 65530);
        next = next === 65535 ? 1 : next + 1;
      }
    };
    for (let i = 0; i < 60; i++) turn(); // the map in its steady state before it is made old
    const retained = await retainedOver(200, turn);
    expect(map.size).toBe(5);
    expect(retained).toBeLessThan(5_000_000);
  }, 30_000);
});
