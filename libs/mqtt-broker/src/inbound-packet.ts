import type { IPublishPacket } from 'mqtt-packet';

/**
 * Where a PUBLISH packet lies in the bytes the client sent: `buffer` from `start` to `end`
 * (fixed header to payload). Socket reads are never reused, so the bytes stay as they are.
 */
export interface InboundBytes {
  buffer: Buffer;
  start: number;
  end: number;
}

/**
 * A PUBLISH as the broker reads it: the packet, and its bytes when they were read whole from
 * one buffer (absent when they were not, e.g. a packet that shared a read with CONNECT).
 * Fields, not an object, so the fast decoder allocates nothing more per packet.
 */
export type InboundPublish = IPublishPacket & { bytes?: Buffer; bytesStart?: number; bytesEnd?: number };
