import { BrokerHooks } from './hooks';
import { TopicLimits } from './topics/topic-rules';

/** Tunables of the broker core; every one has a default fit for a device fleet. */
export interface BrokerOptions extends TopicLimits {
  /** Largest packet accepted from a client, in bytes (CONNACK Maximum Packet Size). */
  maxPacketSize: number;
  /** QoS 1/2 publishes a client may have unacknowledged towards us (CONNACK Receive Maximum). */
  receiveMaximum: number;
  /** Messages queued per session while offline or beyond the in-flight window; oldest dropped beyond. */
  maxQueuedMessages: number;
  /** Upper bound of a client's keepalive in seconds; 5.0 clients are told the capped value. */
  maxKeepAlive: number;
  /** Largest session expiry interval granted, in seconds. */
  maxSessionExpiry: number;
  /** Topic aliases a 5.0 client may use towards us. */
  topicAliasMaximum: number;
  /** How long a client may take to send CONNECT after opening the connection. */
  connectTimeoutMs: number;
  hooks: BrokerHooks;
}

export const DEFAULT_BROKER_OPTIONS: Omit<BrokerOptions, 'hooks'> = {
  maxPacketSize: 1024 * 1024,
  receiveMaximum: 32,
  maxQueuedMessages: 1000,
  maxKeepAlive: 65535,
  maxSessionExpiry: 7 * 24 * 3600,
  topicAliasMaximum: 64,
  connectTimeoutMs: 10_000,
  maxTopicLength: 1024,
  maxTopicLevels: 32,
};
