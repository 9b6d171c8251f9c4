import { LoginThrottle } from './login-throttle';

describe(LoginThrottle.name, () => {
  let now: number;
  const throttle = () => new LoginThrottle({ perUsername: 3, perAddress: 5, windowMs: 60_000 }, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('should block a username after its failures, from any address, until the window ends', () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) {
      expect(t.blocked('pump', `10.0.0.${i}:1000`)).toBe(false);
      t.failed('pump', `10.0.0.${i}:1000`);
    }
    expect(t.blocked('pump', '10.0.0.99:1000')).toBe(true);
    expect(t.blocked('valve', '10.0.0.99:1000')).toBe(false);
    now += 60_000;
    expect(t.blocked('pump', '10.0.0.99:1000')).toBe(false);
  });

  it('should block an address (whatever its port) after its failures, for every username', () => {
    const t = throttle();
    for (let i = 0; i < 5; i++) t.failed(`user-${i}`, `192.168.1.7:${4000 + i}`);
    expect(t.blocked('someone-else', '192.168.1.7:5999')).toBe(true);
    expect(t.blocked(undefined, '192.168.1.7:6000')).toBe(true);
    expect(t.blocked('someone-else', '192.168.1.8:5999')).toBe(false);
    expect(t.blocked(undefined, '::ffff:192.168.1.7:1')).toBe(false);
  });

  it('should clear a username’s failures when it logs in, but not its address’s', () => {
    const t = throttle();
    t.failed('pump', '10.0.0.1:1');
    t.failed('pump', '10.0.0.1:2');
    t.succeeded('pump');
    t.failed('pump', '10.0.0.1:3');
    t.failed('pump', '10.0.0.1:4');
    expect(t.blocked('pump', '10.0.0.2:1')).toBe(false);
    expect(t.blocked('other', '10.0.0.1:9')).toBe(false);
    t.failed('x', '10.0.0.1:5');
    expect(t.blocked('other', '10.0.0.1:9')).toBe(true); // 5 failures from that address
  });
});
