/**
 * The platform topics of the thing model (IoTDA family, SPEC 2): what the platform sends a
 * device and what a device answers, under `$oc/devices/{device_id}/sys/`. A device may always
 * use its own; the gateway's ACL lets it, and the command service reads the answers.
 */
export const DeviceTopics = {
  /** Down: a command. */
  command: (deviceId: string, requestId: string) => `$oc/devices/${deviceId}/sys/commands/request_id=${requestId}`,
  /** Down: set properties. */
  propertiesSet: (deviceId: string, requestId: string) => `$oc/devices/${deviceId}/sys/properties/set/request_id=${requestId}`,
  /** Down: read properties. */
  propertiesGet: (deviceId: string, requestId: string) => `$oc/devices/${deviceId}/sys/properties/get/request_id=${requestId}`,
  /** Up: the device's reported properties. */
  propertiesReport: (deviceId: string) => `$oc/devices/${deviceId}/sys/properties/report`,
  /** Down: a device message (no request id). */
  messagesDown: (deviceId: string) => `$oc/devices/${deviceId}/sys/messages/down`,
  /** Down: a device message to a topic of the application's choosing. */
  user: (deviceId: string, topic: string) => `$oc/devices/${deviceId}/user/${topic}`,
} as const;

/** What a device answers: a command, a property write, a property read. */
export const DEVICE_REPLY_KINDS = ['command', 'properties-set', 'properties-get'] as const;
export type DeviceReplyKind = (typeof DEVICE_REPLY_KINDS)[number];

const REPLY = /^\$oc\/devices\/([^/]+)\/sys\/(commands|properties\/set|properties\/get)\/response\/request_id=([^/]+)$/;
const KIND_OF: Record<string, DeviceReplyKind> = { commands: 'command', 'properties/set': 'properties-set', 'properties/get': 'properties-get' };

/**
 * The reply a topic carries (`$oc/devices/{id}/sys/commands/response/request_id={id}` and the
 * properties/set and properties/get ones), or undefined when it is no reply topic.
 */
export function parseReplyTopic(topic: string): { deviceId: string; kind: DeviceReplyKind; requestId: string } | undefined {
  if (!topic.startsWith('$oc/devices/')) return undefined;
  const match = REPLY.exec(topic);
  return match ? { deviceId: match[1], kind: KIND_OF[match[2]], requestId: match[3] } : undefined;
}
