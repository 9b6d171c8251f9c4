import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { EventPublisher } from '@iot/bus';
import { RegistryDeviceChanged, RegistryDeviceChangedValue, hashPassword } from '@iot/contracts';
import { Page } from '@iot/runtime';
import { REGISTRY_EVENTS, requireProject } from '../projects/projects.service';
import { RegistryError } from '../registry.errors';
import { REGISTRY_OPTIONS, RegistryOptions } from '../registry.options';
import { DeviceAuthView } from './device-auth-view';
import { DeviceCredentialEntity, DeviceEntity } from './device.entity';
import { CredentialsDto, SetCredentialsDto } from './dto/credentials.dto';
import { CreateDeviceDto, DeviceDto, ListDevicesQuery, UpdateDeviceDto } from './dto/device.dto';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Devices and their credentials. Every change is announced on `registry.device.changed.v1`
 * inside the transaction that makes it (as for projects): gateways act on it — drop what
 * they cached, disconnect a device that was disabled, deleted or given new credentials.
 */
@Injectable()
export class DevicesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REGISTRY_EVENTS) private readonly events: EventPublisher,
    private readonly authView: DeviceAuthView,
    @Inject(REGISTRY_OPTIONS) private readonly options: RegistryOptions,
  ) {}

  async create(projectId: string, dto: CreateDeviceDto): Promise<DeviceDto> {
    const id = dto.id ?? `d-${randomBytes(6).toString('hex')}`;
    const username = dto.username ?? id;
    return this.write(projectId, id, username, async (tx) => {
      await requireProject(tx, projectId);
      if (await tx.existsBy(DeviceEntity, { projectId, id })) throw deviceExists(projectId, id);
      await this.checkUsernameFree(tx, username);
      const saved = await tx.save(
        tx.create(DeviceEntity, { projectId, id, name: dto.name ?? id, productId: dto.productId ?? null, username, tags: dto.tags ?? [], enabled: dto.enabled ?? true }),
      );
      await this.authView.put(tx, saved);
      await this.announce(saved, 'created');
      return DeviceDto.from(saved);
    });
  }

  async list(projectId: string, query: ListDevicesQuery): Promise<Page<DeviceDto>> {
    await requireProject(this.db.manager, projectId);
    const select = this.db.getRepository(DeviceEntity).createQueryBuilder('d').where('d.project_id = :projectId', { projectId });
    if (query.productId !== undefined) select.andWhere('d.product_id = :productId', { productId: query.productId });
    if (query.tag !== undefined) select.andWhere(':tag = ANY(d.tags)', { tag: query.tag });
    if (query.enabled !== undefined) select.andWhere('d.enabled = :enabled', { enabled: query.enabled });
    if (query.status !== undefined) {
      const online = 'EXISTS (SELECT 1 FROM device_presence p WHERE p.project_id = d.project_id AND p.device_id = d.id AND p.online)';
      select.andWhere(query.status === 'online' ? online : `NOT ${online}`);
    }
    if (query.q !== undefined) {
      // A literal search: the caller's % and _ are not wildcards.
      const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      select.andWhere('(d.id ILIKE :pattern OR d.name ILIKE :pattern OR d.username ILIKE :pattern)', { pattern });
    }
    const [items, total] = await select.orderBy('d.created_at', 'ASC').addOrderBy('d.id', 'ASC').take(query.limit).skip(query.offset).getManyAndCount();
    return Page.of(items.map(DeviceDto.from), total, query);
  }

  async get(projectId: string, id: string): Promise<DeviceDto> {
    return DeviceDto.from(await this.find(this.db.manager, projectId, id));
  }

  async update(projectId: string, id: string, dto: UpdateDeviceDto): Promise<DeviceDto> {
    return this.write(projectId, id, dto.username, async (tx) => {
      const device = await this.find(tx, projectId, id);
      if (dto.username !== undefined && dto.username !== device.username) await this.checkUsernameFree(tx, dto.username);
      const changed = tx.merge(DeviceEntity, device, {
        ...(dto.name !== undefined ? { name: dto.name } : {}),
        ...(dto.productId !== undefined ? { productId: dto.productId } : {}),
        ...(dto.username !== undefined ? { username: dto.username } : {}),
        ...(dto.tags !== undefined ? { tags: dto.tags } : {}),
        ...(dto.enabled !== undefined ? { enabled: dto.enabled } : {}),
      });
      const previousUsername = device.username;
      const saved = await tx.save(changed);
      if (saved.username !== previousUsername) await this.authView.remove(previousUsername);
      await this.authView.put(tx, saved);
      await this.announce(saved, 'updated');
      return DeviceDto.from(saved);
    });
  }

  async delete(projectId: string, id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const device = await this.find(tx, projectId, id);
      await tx.delete(DeviceEntity, { projectId, id });
      await this.authView.remove(device.username);
      await this.events.publish(RegistryDeviceChanged, { projectId, deviceId: device.id, change: 'deleted', occurredAt: new Date().toISOString() });
    });
  }

  /** Sets or rotates the password (generated when none is given) and its validity window. */
  async setCredentials(projectId: string, id: string, dto: SetCredentialsDto): Promise<CredentialsDto> {
    const notBefore = dto.notBefore === undefined ? null : new Date(dto.notBefore);
    const notAfter = dto.notAfter === undefined ? null : new Date(dto.notAfter);
    if (notBefore && notAfter && notAfter <= notBefore) {
      throw new RegistryError('INVALID_VALIDITY', 'notAfter: must be later than notBefore', { fields: [{ field: 'notAfter', problems: ['must be later than notBefore'] }] });
    }
    const generated = dto.password === undefined ? randomBytes(18).toString('base64url') : undefined;
    // Hashed before the transaction: scrypt takes tens of milliseconds, a row lock need not wait for it.
    const passwordHash = await hashPassword(dto.password ?? generated!, this.options.passwordHashCost);
    return this.db.transaction(async (tx) => {
      const device = await this.find(tx, projectId, id);
      const rotatedAt = new Date();
      await tx.upsert(DeviceCredentialEntity, { projectId, deviceId: id, passwordHash, notBefore, notAfter, rotatedAt }, ['projectId', 'deviceId']);
      await this.authView.put(tx, device);
      await this.announce(device, 'credentials');
      return {
        username: device.username,
        ...(generated !== undefined ? { password: generated } : {}),
        notBefore: notBefore?.toISOString() ?? null,
        notAfter: notAfter?.toISOString() ?? null,
        rotatedAt: rotatedAt.toISOString(),
      };
    });
  }

  /** Runs a write; unique and foreign-key violations raced past the checks become their errors. */
  private async write<T>(projectId: string, id: string, username: string | undefined, work: (tx: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (error) {
      const driverError = error instanceof QueryFailedError ? (error.driverError as { code?: string; constraint?: string }) : undefined;
      if (driverError?.code === UNIQUE_VIOLATION) throw driverError.constraint === 'devices_username_uq' ? usernameTaken(username ?? id) : deviceExists(projectId, id);
      if (driverError?.code === FOREIGN_KEY_VIOLATION && /product/.test(driverError.constraint ?? '')) {
        throw new RegistryError('UNKNOWN_PRODUCT', `productId: project ${projectId} has no such product`, { fields: [{ field: 'productId', problems: ['is not a product of this project'] }] });
      }
      throw error;
    }
  }

  private async checkUsernameFree(tx: EntityManager, username: string): Promise<void> {
    if (await tx.existsBy(DeviceEntity, { username })) throw usernameTaken(username);
  }

  private async find(tx: EntityManager, projectId: string, id: string): Promise<DeviceEntity> {
    const device = await tx.findOneBy(DeviceEntity, { projectId, id });
    if (!device) throw new RegistryError('DEVICE_NOT_FOUND', `project ${projectId} has no device ${id}`, { projectId, deviceId: id });
    return device;
  }

  private async announce(device: DeviceEntity, change: RegistryDeviceChangedValue['change']): Promise<void> {
    await this.events.publish(RegistryDeviceChanged, {
      projectId: device.projectId,
      deviceId: device.id,
      change,
      username: device.username,
      enabled: device.enabled,
      occurredAt: new Date().toISOString(),
    });
  }
}

const deviceExists = (projectId: string, id: string) => new RegistryError('DEVICE_EXISTS', `project ${projectId} already has a device ${id}`, { projectId, deviceId: id });
const usernameTaken = (username: string) => new RegistryError('USERNAME_TAKEN', `the MQTT username ${username} is taken (usernames are unique across the platform)`, { username });
