import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A device of a project. Its MQTT username is unique across the platform (CONNECT carries no project). */
@Entity('devices')
export class DeviceEntity {
  @PrimaryColumn({ name: 'project_id', type: 'varchar', length: 64 })
  projectId: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'product_id', type: 'varchar', length: 64, nullable: true })
  productId: string | null;

  @Column({ type: 'varchar', length: 128 })
  username: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** A device's password (a slow salted hash, see @iot/contracts password-hash) and its validity window. */
@Entity('device_credentials')
export class DeviceCredentialEntity {
  @PrimaryColumn({ name: 'project_id', type: 'varchar', length: 64 })
  projectId: string;

  @PrimaryColumn({ name: 'device_id', type: 'varchar', length: 128 })
  deviceId: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column({ name: 'not_before', type: 'timestamptz', nullable: true })
  notBefore: Date | null;

  @Column({ name: 'not_after', type: 'timestamptz', nullable: true })
  notAfter: Date | null;

  @Column({ name: 'rotated_at', type: 'timestamptz' })
  rotatedAt: Date;
}
