/**
 * Every Kafka topic of the platform, and the only place a topic name is written.
 *
 * Names follow `<domain>.<entity>.<event>.v<N>`: a breaking change to a message schema is a
 * new topic (`.v2`) that producers and consumers move to independently.
 */
export const Topics = {
  /** A project was created, renamed or deleted in the device registry. Key: project id. */
  RegistryProjectChangedV1: 'registry.project.changed.v1',
  /** A device was created, changed, deleted, or its credentials set. No secrets. Key: device. */
  RegistryDeviceChangedV1: 'registry.device.changed.v1',
  /** A message a device (MQTT client) published, or its will. Value: the raw payload; metadata in headers. Key: device. */
  GatewayDeviceMessageV1: 'gateway.device.message.v1',
  /** A client connected, disconnected, subscribed, unsubscribed; a message was delivered to or dropped for it. Key: device. */
  GatewayClientEventV1: 'gateway.client.event.v1',
  /** Another service asks the gateway cluster to publish, kick, subscribe or unsubscribe. Key: client (or project). */
  GatewayCommandV1: 'gateway.command.v1',
  /** A device answered a command or a property request; every command-service instance hears it. Key: device. */
  CommandDeviceRepliedV1: 'command.device.replied.v1',
  /** A device message was accepted (PENDING), delivered, timed out or failed. Key: device. */
  CommandMessageStatusChangedV1: 'command.message.status-changed.v1',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

/** Suffix of the dead-letter topic that holds the records a consumer could not accept. */
const DEAD_LETTER_SUFFIX = '.dlt';

/**
 * The dead-letter topic for a source topic: a record that fails validation (malformed,
 * unknown schema version) or that a handler rejects as permanently invalid lands here,
 * with headers saying why (see {@link Headers}).
 */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`;
}
