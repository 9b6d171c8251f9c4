/** MQTT 5 PUBLISH properties the broker passes through or acts on. */
export interface PublishProperties {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: Record<string, string | string[]>;
  subscriptionIdentifier?: number | number[];
  topicAlias?: number;
}

/** An application message inside the broker, whoever published it. */
export interface Message {
  projectId: string;
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  properties?: PublishProperties;
  /** Epoch ms after which the message must not be delivered (from messageExpiryInterval). */
  expiresAt?: number;
  /** Client id of the publisher (for no-local); absent for platform publishes. */
  origin?: string;
  /** The registry's device id of the publisher, when known. */
  originDeviceId?: string;
  /** Set on a will message, published for a client that went away. */
  will?: boolean;
  /**
   * Set by the platform on a message whose delivery it follows (a device message): hooks
   * hear of its acknowledgement or drop. Travels with the message to other nodes and into
   * persisted sessions; never sent to clients.
   */
  trackingId?: string;
}
