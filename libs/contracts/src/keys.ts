/**
 * Record keys. Kafka orders records per key within a partition, so the key says what must
 * stay in order: everything about one device is keyed by that device, everything about a
 * project (and not a device) by the project.
 */
export const RecordKeys = {
  /** Key of project-scoped records. */
  project: (projectId: string): string => projectId,
  /** Key of device-scoped records: per-device order holds across every topic keyed this way. */
  device: (projectId: string, deviceId: string): string => `${projectId}/${deviceId}`,
  /** Key of an MQTT client's records: its device when the registry knows it, else its client id. */
  client: (projectId: string, clientId: string, deviceId?: string): string => `${projectId}/${deviceId ?? clientId}`,
} as const;

/** Project ids: 1-64 letters, digits, `-` or `_`, starting with a letter or digit (REST and events alike). */
export const PROJECT_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/;

/**
 * Device ids: 1-128 letters, digits, `-`, `_`, `.`, `:` or `@`, starting with a letter or
 * digit — never `/`, `+`, `#` or `$`, since a device id is a level of its `$oc/devices/{id}/...` topics.
 */
export const DEVICE_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.:@-]{0,127}$/;

/** MQTT usernames of devices: 1-128 visible ASCII characters (no spaces). */
export const DEVICE_USERNAME_PATTERN = /^[\x21-\x7e]{1,128}$/;
