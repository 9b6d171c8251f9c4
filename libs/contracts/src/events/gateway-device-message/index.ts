export { DEVICE_MESSAGE_META_HEADER, DeviceMessageMeta } from './meta';
export { DEVICE_MESSAGE_PACK_LIMITS, DEVICE_MESSAGE_VERSION, DeviceMessagePack, DeviceMessagePackOptions, DeviceRecordIdentity, deviceRecordIdentity } from './device-message-pack';
export { DeviceMessageFrame, DeviceMessageProperties, encodePublishFrame } from './publish-frame';
export { decodeDeviceMessages } from './decode';
