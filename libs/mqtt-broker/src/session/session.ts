import { Message } from '../message';
import { SubscriptionOptions } from '../topics/subscription-index';
import { PacketIdMap } from './packet-id-map';

/** A delivery waiting for room in the in-flight window, or for its client to come back. */
export interface Delivery {
  message: Message;
  qos: 0 | 1 | 2;
  /** The RETAIN flag to send (retain-as-published, or a retained message on subscribe). */
  retain: boolean;
  subscriptionIds: number[];
}

/** An outgoing QoS 1/2 delivery not yet acknowledged by the client. */
export interface InflightDelivery extends Delivery {
  packetId: number;
  /** puback (QoS 1), pubrec then pubcomp (QoS 2). */
  awaiting: 'puback' | 'pubrec' | 'pubcomp';
}

/** The will a client left in CONNECT. */
export interface Will {
  message: Message;
  delaySeconds: number;
}

/**
 * The state MQTT keeps per (project, client id) across connections: subscriptions,
 * unacknowledged deliveries both ways, queued deliveries and expiry. Plain data, so a
 * Redis-backed store can persist it (clustering issue).
 */
export class Session {
  readonly subscriptions = new Map<string, SubscriptionOptions>();
  /** Not Maps: see PacketIdMap for why. */
  readonly inflight = new PacketIdMap<InflightDelivery>();
  readonly queue: Delivery[] = [];
  /** QoS 2 packet ids received and acknowledged with PUBREC, awaiting PUBREL. */
  readonly inboundQos2 = new PacketIdMap<true>();
  /** Seconds the session outlives its connection; 0xFFFFFFFF never expires. */
  expiryInterval = 0;
  will?: Will;
  /** Timer that ends the session (or sends a delayed will) while it is disconnected. */
  expiryTimer?: NodeJS.Timeout;
  willTimer?: NodeJS.Timeout;
  /** Epoch ms its client last went offline. */
  disconnectedAt?: number;
  /** Whether the session store may hold a snapshot of it (deleted when the session ends). */
  persisted = false;
  /** The connection currently bound to this session, if the client is online. */
  connection?: import('../connection').Connection;
  /** Routing scratch: the publish this session was last matched by, and its slot there. */
  routeSeq = 0;
  routeSlot = 0;
  private nextPacketId = 1;

  constructor(
    readonly projectId: string,
    readonly clientId: string,
  ) {}

  /** A packet id not in use by an in-flight delivery ([MQTT-2.2.1-3]). */
  allocatePacketId(): number {
    for (let tries = 0; tries < 65535; tries++) {
      const id = this.nextPacketId;
      this.nextPacketId = id === 65535 ? 1 : id + 1;
      if (!this.inflight.has(id)) return id;
    }
    throw new Error('no free packet identifier');
  }
}

/** Registry key of a session. */
export const sessionKey = (projectId: string, clientId: string): string => `${projectId}\u0000${clientId}`;
