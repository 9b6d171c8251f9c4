import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DeviceReplyKind } from '@iot/contracts';

export const DEVICE_REQUEST_STATUSES = ['SENT', 'SUCCESSFUL', 'FAILED', 'TIMEOUT'] as const;
export type DeviceRequestStatus = (typeof DEVICE_REQUEST_STATUSES)[number];

/**
 * A request the platform sent a device and waited on: a command, a property write or a
 * property read (IoTDA's synchronous commands). The record of what was asked and answered;
 * an answer is taken once, while the request is SENT.
 */
@Entity('device_requests')
export class DeviceRequestEntity {
  /** The command id, also the `request_id` of the topics. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'project_id', type: 'varchar', length: 64 })
  projectId: string;

  @Column({ name: 'device_id', type: 'varchar', length: 128 })
  deviceId: string;

  @Column({ type: 'varchar', length: 16 })
  kind: DeviceReplyKind;

  /** What was sent to the device (its JSON payload). */
  @Column({ type: 'jsonb' })
  request: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16 })
  status: DeviceRequestStatus;

  /** Why it failed (FAILED, TIMEOUT): an error code such as DEVICE_OFFLINE. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  error: string | null;

  /** The device's answer (its JSON payload). */
  @Column({ type: 'jsonb', nullable: true })
  response: Record<string, unknown> | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
