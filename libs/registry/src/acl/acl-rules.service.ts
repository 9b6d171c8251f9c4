import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { isUUID } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { EventPublisher } from '@iot/bus';
import { AclPermission, RegistryProjectChanged } from '@iot/contracts';
import { ProjectEntity } from '../projects/project.entity';
import { REGISTRY_EVENTS, requireProject } from '../projects/projects.service';
import { RegistryError } from '../registry.errors';
import { AclRuleEntity } from './acl-rule.entity';
import { AclDefaultDto, AclRuleBodyDto, AclRuleDto } from './dto/acl-rule.dto';
import { ProjectAclView } from './project-acl-view';

const DEFAULT_PRIORITY = 100;

/**
 * A project's ACL rules and default. Every change rewrites the project's ACL view for the
 * gateways and is announced (`registry.project.changed.v1`, change `acl`) so every node drops
 * the copy it holds — all inside the transaction that makes it.
 */
@Injectable()
export class AclRulesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REGISTRY_EVENTS) private readonly events: EventPublisher,
    private readonly view: ProjectAclView,
  ) {}

  async create(projectId: string, dto: AclRuleBodyDto): Promise<AclRuleDto> {
    return this.change(projectId, async (tx) => {
      const saved = await tx.save(tx.create(AclRuleEntity, { id: randomUUID(), projectId, ...fieldsOf(dto) }));
      return AclRuleDto.from(saved);
    });
  }

  async list(projectId: string): Promise<AclRuleDto[]> {
    await requireProject(this.db.manager, projectId);
    const rules = await this.db.getRepository(AclRuleEntity).find({ where: { projectId }, order: { priority: 'ASC', createdAt: 'ASC', id: 'ASC' } });
    return rules.map(AclRuleDto.from);
  }

  async get(projectId: string, ruleId: string): Promise<AclRuleDto> {
    return AclRuleDto.from(await this.find(this.db.manager, projectId, ruleId));
  }

  async replace(projectId: string, ruleId: string, dto: AclRuleBodyDto): Promise<AclRuleDto> {
    return this.change(projectId, async (tx) => {
      const rule = await this.find(tx, projectId, ruleId);
      return AclRuleDto.from(await tx.save(Object.assign(rule, fieldsOf(dto))));
    });
  }

  async delete(projectId: string, ruleId: string): Promise<void> {
    await this.change(projectId, async (tx) => {
      await this.find(tx, projectId, ruleId);
      await tx.delete(AclRuleEntity, { projectId, id: ruleId });
    });
  }

  async getDefault(projectId: string): Promise<AclDefaultDto> {
    const project = await requireProject(this.db.manager, projectId);
    return { permission: project.aclDefault };
  }

  async setDefault(projectId: string, permission: AclPermission): Promise<AclDefaultDto> {
    return this.change(projectId, async (tx) => {
      await tx.update(ProjectEntity, { id: projectId }, { aclDefault: permission });
      return { permission };
    });
  }

  /** Runs a change of the project's ACL, then rewrites its view and announces it, in one transaction. */
  private change<T>(projectId: string, work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await requireProject(tx, projectId);
      const result = await work(tx);
      await this.view.write(tx, projectId);
      await this.events.publish(RegistryProjectChanged, { projectId, change: 'acl', occurredAt: new Date().toISOString() });
      return result;
    });
  }

  private async find(tx: EntityManager, projectId: string, ruleId: string): Promise<AclRuleEntity> {
    const rule = isUUID(ruleId) ? await tx.findOneBy(AclRuleEntity, { projectId, id: ruleId }) : null;
    if (!rule) throw new RegistryError('ACL_RULE_NOT_FOUND', `project ${projectId} has no ACL rule ${ruleId}`, { projectId, ruleId });
    return rule;
  }
}

function fieldsOf(dto: AclRuleBodyDto): Pick<AclRuleEntity, 'whoType' | 'whoValue' | 'action' | 'topic' | 'permission' | 'priority'> {
  const [whoType, whoValue] = dto.who === 'all' ? (['all', null] as const) : (Object.entries(dto.who)[0] as [AclRuleEntity['whoType'], string]);
  return { whoType, whoValue, action: dto.action, topic: dto.topic, permission: dto.permission, priority: dto.priority ?? DEFAULT_PRIORITY };
}
