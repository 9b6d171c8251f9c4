import type { BrokerHooks } from '@iot/mqtt-broker';

type Observers = Pick<BrokerHooks, 'onConnected' | 'onDisconnected' | 'onSubscribed' | 'onUnsubscribed' | 'onPublished' | 'onDelivered' | 'onDropped' | 'onStoreError'>;
const OBSERVERS = ['onConnected', 'onDisconnected', 'onSubscribed', 'onUnsubscribed', 'onPublished', 'onDelivered', 'onDropped', 'onStoreError'] as const;

/**
 * One set of broker hooks from several parts of the gateway: the deciding hooks
 * (authenticate, authorize, admit) come from the parts that own them, and every observer
 * of every part is called, in the order the parts are given.
 */
export function combineHooks(base: BrokerHooks, ...parts: (Partial<BrokerHooks> | undefined)[]): BrokerHooks {
  const all = [base, ...parts.filter((part): part is Partial<BrokerHooks> => part !== undefined)];
  const combined: BrokerHooks = { ...base };
  for (const part of all) {
    if (part.authenticate) combined.authenticate = part.authenticate;
    if (part.authorizePublish) combined.authorizePublish = part.authorizePublish;
    if (part.authorizeSubscribe) combined.authorizeSubscribe = part.authorizeSubscribe;
    if (part.admitPublish) combined.admitPublish = part.admitPublish;
  }
  for (const name of OBSERVERS) {
    const observers = all.map((part) => part[name]).filter((fn): fn is NonNullable<Observers[typeof name]> => fn !== undefined);
    if (observers.length === 0) continue;
    // A lone observer is called as it is: onPublished runs for every message.
    (combined as unknown as Record<string, (...args: unknown[]) => void>)[name] =
      observers.length === 1
        ? (observers[0] as (...a: unknown[]) => void)
        : (...args: unknown[]) => {
            for (const observe of observers) (observe as (...a: unknown[]) => void)(...args);
          };
  }
  // Deliveries of untracked messages may be skipped only if no observer of them wants them.
  const deliveryObservers = all.filter((part) => part.onDelivered !== undefined);
  combined.onDeliveredTrackedOnly = deliveryObservers.length > 0 && deliveryObservers.every((part) => part.onDeliveredTrackedOnly === true);
  return combined;
}
