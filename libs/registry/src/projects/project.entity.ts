import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A tenant: an isolated namespace of devices, topics, keys and rules. */
@Entity('projects')
export class ProjectEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** What applies when no ACL rule matches. */
  @Column({ name: 'acl_default', type: 'varchar', length: 8, default: 'deny' })
  aclDefault: 'allow' | 'deny';

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
