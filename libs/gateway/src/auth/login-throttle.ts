/** Failed logins allowed per window before further attempts are refused unchecked. */
export interface LoginThrottleLimits {
  perUsername: number;
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleLimits = { perUsername: 10, perAddress: 100, windowMs: 60_000 };

/**
 * Rate limits failed MQTT logins per username and per peer address (its IP, whatever the
 * port): past the limit within a window, CONNECTs from there are refused (5.0: 0x8A banned)
 * without checking the password — which also spares the slow hash. Per node: an attacker
 * spread over N nodes gets N times the limit, still far from a useful guessing rate.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limits: LoginThrottleLimits = DEFAULT_LOGIN_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether attempts for this username or from this address are refused for now. */
  blocked(username: string | undefined, peerAddress: string): boolean {
    return (username !== undefined && this.count(`u:${username}`) >= this.limits.perUsername) || this.count(`a:${hostOf(peerAddress)}`) >= this.limits.perAddress;
  }

  failed(username: string | undefined, peerAddress: string): void {
    if (this.failures.size > 100_000) this.sweep();
    if (username !== undefined) this.add(`u:${username}`);
    this.add(`a:${hostOf(peerAddress)}`);
  }

  /** A successful login clears its username's failures (not its address's: many devices may share one). */
  succeeded(username: string | undefined): void {
    if (username !== undefined) this.failures.delete(`u:${username}`);
  }

  private count(key: string): number {
    const entry = this.failures.get(key);
    if (!entry) return 0;
    if (this.now() - entry.since >= this.limits.windowMs) {
      this.failures.delete(key);
      return 0;
    }
    return entry.count;
  }

  private add(key: string): void {
    const entry = this.failures.get(key);
    if (entry && this.now() - entry.since < this.limits.windowMs) entry.count++;
    else this.failures.set(key, { count: 1, since: this.now() });
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.failures) if (now - entry.since >= this.limits.windowMs) this.failures.delete(key);
  }
}

/** `1.2.3.4:5678` → `1.2.3.4`, `::ffff:1.2.3.4:5678` → `::ffff:1.2.3.4`. */
function hostOf(peerAddress: string): string {
  const colon = peerAddress.lastIndexOf(':');
  return colon > 0 ? peerAddress.slice(0, colon) : peerAddress;
}
