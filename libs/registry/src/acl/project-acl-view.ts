import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { ProjectAcl, encodeProjectAcl, projectAclKey } from '@iot/contracts';
import { ROOT_LOGGER } from '@iot/runtime';
import { StateStore } from '@iot/state-store';
import { ProjectEntity } from '../projects/project.entity';
import { AclRuleEntity } from './acl-rule.entity';

/**
 * The gateways' view of each project's ACL (ProjectAcl) in the shared state store: written
 * inside the transaction of every change to a project's rules or default, and rebuilt from
 * the database when the registry starts (as DeviceAuthView).
 */
@Injectable()
export class ProjectAclView implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly state: StateStore,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Writes a project's ACL as `tx` sees it. */
  async write(tx: EntityManager, projectId: string): Promise<void> {
    const project = await tx.findOneBy(ProjectEntity, { id: projectId });
    if (!project) return;
    const rules = await tx.find(AclRuleEntity, { where: { projectId }, order: { priority: 'ASC', createdAt: 'ASC', id: 'ASC' } });
    const acl: ProjectAcl = {
      default: project.aclDefault,
      rules: rules.map((r) => ({ whoType: r.whoType, ...(r.whoValue !== null ? { whoValue: r.whoValue } : {}), action: r.action, topic: r.topic, permission: r.permission })),
    };
    await this.state.set(projectAclKey(projectId), encodeProjectAcl(acl));
  }

  async remove(projectId: string): Promise<void> {
    await this.state.delete(projectAclKey(projectId));
  }

  async onApplicationBootstrap(): Promise<void> {
    const projects = await this.db.getRepository(ProjectEntity).find({ select: { id: true } });
    for (const { id } of projects) await this.write(this.db.manager, id);
    this.logger.info({ projects: projects.length }, 'project ACL view rebuilt for the gateways');
  }
}
