import { Expiring, KeepAliveWheel } from './keepalive-wheel';

describe(KeepAliveWheel.name, () => {
  let now = 1_000_000;
  let wheel: KeepAliveWheel;
  const item = (deadline: () => number): Expiring & { expired: number } => {
    const it = { expired: 0, deadline, expire: () => void it.expired++ };
    return it;
  };

  beforeEach(() => {
    now = 1_000_000;
    wheel = new KeepAliveWheel(() => now);
  });
  afterEach(() => wheel.close());

  it('should expire an item once its deadline has passed, and not before', () => {
    const a = item(() => 1_003_500);
    wheel.schedule(a);
    now = 1_003_000;
    wheel.tick();
    expect(a.expired).toBe(0);
    now = 1_004_000;
    wheel.tick();
    expect(a.expired).toBe(1);
  });

  it('should move an item whose deadline moved on, instead of expiring it', () => {
    let deadline = 1_002_000;
    const a = item(() => deadline);
    wheel.schedule(a);
    deadline = 1_010_000; // activity in the meantime
    now = 1_002_500;
    wheel.tick();
    expect(a.expired).toBe(0);
    now = 1_010_000;
    wheel.tick();
    expect(a.expired).toBe(1);
  });

  it('should never expire an item without a deadline, nor a removed one', () => {
    const forever = item(() => Infinity);
    const removed = item(() => 1_001_000);
    wheel.schedule(forever);
    wheel.schedule(removed);
    wheel.remove(removed);
    now = 2_000_000;
    wheel.tick();
    expect([forever.expired, removed.expired]).toEqual([0, 0]);
  });
});
