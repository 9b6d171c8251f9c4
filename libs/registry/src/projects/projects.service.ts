import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { EventPublisher } from '@iot/bus';
import { RegistryDeviceChanged, RegistryProjectChanged, RegistryProjectChangedValue, apiKeyEntryKey, deviceAuthKey } from '@iot/contracts';
import { StateStore } from '@iot/state-store';
import { Page, PageQuery } from '@iot/runtime';
import { RegistryError } from '../registry.errors';
import { CreateProjectDto } from './dto/create-project.dto';
import { ProjectDto } from './dto/project.dto';
import { ProjectAclView } from '../acl/project-acl-view';
import { ProjectEntity } from './project.entity';

/** Injection token of the registry's EventPublisher. */
export const REGISTRY_EVENTS = Symbol('REGISTRY_EVENTS');

const UNIQUE_VIOLATION = '23505';

/**
 * Projects: create, list, read, delete. Each change is announced on
 * `registry.project.changed.v1` *inside* the transaction that makes it: if the bus refuses
 * the event the change is rolled back, so no gateway keeps a cache of a project that
 * changed without telling it.
 */
@Injectable()
export class ProjectsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REGISTRY_EVENTS) private readonly events: EventPublisher,
    private readonly aclView: ProjectAclView,
    private readonly state: StateStore,
  ) {}

  async create(dto: CreateProjectDto): Promise<ProjectDto> {
    const id = dto.id ?? `p-${randomBytes(6).toString('hex')}`;
    try {
      return await this.db.transaction(async (tx) => {
        if (await tx.existsBy(ProjectEntity, { id })) throw projectExists(id);
        const saved = await tx.save(tx.create(ProjectEntity, { id, name: dto.name }));
        await this.aclView.write(tx, id);
        await this.announce({ projectId: id, change: 'created', name: saved.name });
        return ProjectDto.from(saved);
      });
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) throw projectExists(id);
      throw error;
    }
  }

  async list(query: PageQuery): Promise<Page<ProjectDto>> {
    const [items, total] = await this.db.getRepository(ProjectEntity).findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return Page.of(items.map(ProjectDto.from), total, query);
  }

  async get(id: string): Promise<ProjectDto> {
    return ProjectDto.from(await requireProject(this.db.manager, id));
  }

  /**
   * Deletes a project and everything in it. What other services read of it goes too — its
   * devices' credentials and its live API keys in the state store — and each device is
   * announced deleted, so the gateways disconnect it.
   */
  async delete(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const devices: { id: string; username: string }[] = await tx.query(`SELECT id, username FROM devices WHERE project_id = $1`, [id]);
      const keys: { key_prefix: string }[] = await tx.query(`SELECT key_prefix FROM api_keys WHERE project_id = $1 AND revoked_at IS NULL`, [id]);
      const { affected } = await tx.delete(ProjectEntity, { id });
      if (!affected) throw projectNotFound(id);
      await this.aclView.remove(id);
      const views = [...devices.map((d) => deviceAuthKey(d.username)), ...keys.map((k) => apiKeyEntryKey(k.key_prefix))];
      if (views.length > 0) await this.state.delete(...views);
      const occurredAt = new Date().toISOString();
      for (const device of devices) await this.events.publish(RegistryDeviceChanged, { projectId: id, deviceId: device.id, change: 'deleted', occurredAt });
      await this.announce({ projectId: id, change: 'deleted' });
    });
  }

  private async announce(change: Omit<RegistryProjectChangedValue, 'occurredAt'>): Promise<void> {
    await this.events.publish(RegistryProjectChanged, { ...change, occurredAt: new Date().toISOString() });
  }
}

const projectExists = (id: string) => new RegistryError('PROJECT_EXISTS', `project ${id} already exists`, { projectId: id });
/** The project, or PROJECT_NOT_FOUND: the check every project-scoped operation starts with. */
export async function requireProject(tx: EntityManager, projectId: string): Promise<ProjectEntity> {
  const project = await tx.findOneBy(ProjectEntity, { id: projectId });
  if (!project) throw projectNotFound(projectId);
  return project;
}

export const projectNotFound = (id: string) => new RegistryError('PROJECT_NOT_FOUND', `project ${id} does not exist`, { projectId: id });
