import { SubscriptionOptions } from './subscription-index';

/** One `$share/<group>/<filter>` group: its members and whose turn it is. */
export class SharedGroup {
  readonly members = new Map<string, SubscriptionOptions>();
  private turn = 0;

  constructor(
    readonly group: string,
    readonly filter: string,
  ) {}

  /**
   * Picks the member to receive the next message: round-robin over the members `eligible`
   * accepts (online ones), falling back to any member (whose session queues it).
   */
  pick(eligible: (clientId: string) => boolean): [string, SubscriptionOptions] | undefined {
    const members = [...this.members];
    if (members.length === 0) return undefined;
    for (let i = 0; i < members.length; i++) {
      const candidate = members[(this.turn + i) % members.length];
      if (eligible(candidate[0])) {
        this.turn = (this.turn + i + 1) % members.length;
        return candidate;
      }
    }
    return members[this.turn++ % members.length];
  }
}

/** Key under which a shared group sits in the SubscriptionIndex (never a valid client id prefix clash: starts with NUL). */
export const sharedIndexKey = (group: string): string => `\u0000share:${group}`;
export const isSharedIndexKey = (key: string): boolean => key.startsWith('\u0000share:');
export const groupOfIndexKey = (key: string): string => key.slice('\u0000share:'.length);
