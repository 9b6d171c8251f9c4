/** What the broker knows about a connected client, handed to every hook. */
export interface ClientInfo {
  clientId: string;
  projectId: string;
  username?: string;
  /** The registry's device id, when the authenticator resolved one. */
  deviceId?: string;
  protocolVersion: 3 | 4 | 5;
  peerAddress: string;
  /** Increases with every connection of this broker: orders connect/disconnect events. */
  connectionSeq: number;
}

export interface AuthenticationRequest {
  clientId: string;
  username?: string;
  password?: Buffer;
  peerAddress: string;
  protocolVersion: 3 | 4 | 5;
}

export type AuthenticationResult =
  /** `expiresAt` (epoch ms): the credentials' end; the connection is closed then (5.0: 0x87). */
  | { ok: true; projectId: string; deviceId?: string; expiresAt?: number }
  /** `projectId`: the project whose device's credentials were refused, when known (for its statistics). */
  | { ok: false; reason: 'bad-credentials' | 'not-authorized' | 'banned' | 'unavailable'; projectId?: string };

/**
 * Extension points of the broker (aedes-style named hooks). Every hook has a safe default;
 * the platform plugs the registry's credentials and ACL rules in here.
 */
export interface BrokerHooks {
  /** CONNECT: who is this, and which project does it belong to? */
  authenticate(request: AuthenticationRequest): Promise<AuthenticationResult> | AuthenticationResult;
  /** Every PUBLISH from a client. */
  authorizePublish(client: ClientInfo, topic: string): Promise<boolean> | boolean;
  /** Every SUBSCRIBE filter. */
  authorizeSubscribe(client: ClientInfo, filter: string): Promise<boolean> | boolean;
  /** After CONNACK; `will` is the will left in CONNECT, if any. */
  /**
   * Before a client's message is routed and acknowledged: resolving later holds the
   * publisher (its socket paused, its QoS 1/2 acknowledgement withheld) until the platform
   * can take the message — backpressure from the uplink. Return nothing to go on at once.
   */
  admitPublish?(message: import('./message').Message, client: ClientInfo): void | Promise<void>;
  onConnected?(client: ClientInfo, details: { cleanStart: boolean; will?: import('./message').Message }): void;
  onDisconnected?(client: ClientInfo, reason: string): void;
  onSubscribed?(client: ClientInfo, filter: string, qos: number): void;
  onUnsubscribed?(client: ClientInfo, filter: string): void;
  /**
   * A message entered the broker (from a client, or from the platform when client is
   * undefined). `bytes`: where the client's PUBLISH packet lies in what it sent, when the
   * broker has it whole and its topic is in it (not a 5.0 alias alone) — valid during the call.
   */
  onPublished?(message: import('./message').Message, client?: ClientInfo, bytes?: import('./inbound-packet').InboundBytes): void;
  /** A delivery: a QoS 0 copy sent, a QoS 1/2 copy acknowledged by the client. */
  onDelivered?(client: ClientInfo, message: import('./message').Message): void;
  /**
   * Call onDelivered only for messages that carry a trackingId (the ones the platform
   * follows): a fan-out to thousands then pays no call per copy.
   */
  onDeliveredTrackedOnly?: boolean;
  onDropped?(message: import('./message').Message, reason: string, client?: ClientInfo): void;
  /** A session or retained store failed in the background (a CONNECT that needs it is refused instead). */
  onStoreError?(error: Error, doing: string): void;
}

/** Hooks that refuse anonymous clients unless `allowAnonymous`, and allow every topic. */
export function defaultHooks(options: { allowAnonymous: boolean; anonymousProject?: string }): BrokerHooks {
  return {
    authenticate: (request) =>
      options.allowAnonymous ? { ok: true, projectId: options.anonymousProject ?? 'default' } : { ok: false, reason: request.username === undefined ? 'not-authorized' : 'bad-credentials' },
    authorizePublish: () => true,
    authorizeSubscribe: () => true,
  };
}
