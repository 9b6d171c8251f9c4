import { Delivery, InflightDelivery } from '../session/session';
import { SubscriptionOptions } from '../topics/subscription-index';

/**
 * What another broker (another node, or this one after a restart) needs to resume a
 * session: its subscriptions, both in-flight windows and the deliveries queued for it.
 * Plain data; a store may serialise it any way it likes.
 */
export interface SessionSnapshot {
  projectId: string;
  clientId: string;
  /** Seconds the session outlives its connection; 0xFFFFFFFF never expires. */
  expiryInterval: number;
  /** Epoch ms the client went offline; the session ends `expiryInterval` seconds later. */
  disconnectedAt: number;
  subscriptions: { filter: string; options: SubscriptionOptions }[];
  inflight: InflightDelivery[];
  queue: Delivery[];
  /** QoS 2 packet ids received from the client and awaiting PUBREL [MQTT-4.3.3-9]. */
  inboundQos2: number[];
}

/**
 * Where persistent sessions go while no broker holds them live. The broker keeps live
 * sessions in memory and consults the store only at the edges: it saves a snapshot when a
 * persistent session goes offline or is handed over, loads one when a client resumes a
 * session it does not hold, and deletes it when the session ends. In memory for one node;
 * Redis for a cluster, so a reconnect to any node resumes the session.
 */
export interface SessionStore {
  load(projectId: string, clientId: string): Promise<SessionSnapshot | undefined>;
  save(snapshot: SessionSnapshot): Promise<void>;
  delete(projectId: string, clientId: string): Promise<void>;
}

const NEVER_EXPIRES = 0xffffffff;

/** Whether a snapshot's session has ended by now. */
export function snapshotExpired(snapshot: SessionSnapshot, now = Date.now()): boolean {
  return snapshot.expiryInterval !== NEVER_EXPIRES && snapshot.disconnectedAt + snapshot.expiryInterval * 1000 <= now;
}
