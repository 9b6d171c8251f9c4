import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { isUUID } from 'class-validator';
import type { Logger } from 'pino';
import { DataSource, IsNull } from 'typeorm';
import { ROOT_LOGGER } from '@iot/runtime';
import { StateStore } from '@iot/state-store';
import { requireProject } from '../projects/projects.service';
import { RegistryError } from '../registry.errors';
import { ApiKeyEntity } from './api-key.entity';
import { apiKeyEntryKey, encodeApiKeyEntry, issueToken } from '@iot/contracts';
import { ApiKeyDto, CreateApiKeyDto, IssuedApiKeyDto } from './dto/api-key.dto';

/**
 * A project's API keys: issued (the key shown once), listed, revoked. Live keys are kept in
 * the shared state store (ApiKeyEntry), where every service's ProjectKeyGuard — this one's
 * too — checks them: written with the change, rebuilt when the registry starts.
 */
@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly state: StateStore,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const keys = await this.db.getRepository(ApiKeyEntity).findBy({ revokedAt: IsNull() });
    await Promise.all(keys.map((key) => this.publishEntry(key)));
    this.logger.info({ keys: keys.length }, 'API key view rebuilt for the other services');
  }

  async issue(projectId: string, dto: CreateApiKeyDto): Promise<IssuedApiKeyDto> {
    return this.db.transaction(async (tx) => {
      await requireProject(tx, projectId);
      const { token, prefix, digest } = issueToken();
      const saved = await tx.save(tx.create(ApiKeyEntity, { id: randomUUID(), projectId, name: dto.name, keyPrefix: prefix, secretHash: digest, revokedAt: null }));
      await this.publishEntry(saved);
      return { ...ApiKeyDto.from(saved), key: token };
    });
  }

  async list(projectId: string): Promise<ApiKeyDto[]> {
    await requireProject(this.db.manager, projectId);
    const keys = await this.db.getRepository(ApiKeyEntity).find({ where: { projectId, revokedAt: IsNull() }, order: { createdAt: 'ASC' } });
    return keys.map(ApiKeyDto.from);
  }

  /** Revokes a key: every later request bearing it is refused. */
  async revoke(projectId: string, keyId: string): Promise<void> {
    // Not a key id at all is no such key (and never reaches PostgreSQL's uuid parser).
    const key = isUUID(keyId) ? await this.db.getRepository(ApiKeyEntity).findOneBy({ id: keyId, projectId, revokedAt: IsNull() }) : null;
    const affected = key && (await this.db.transaction(async (tx) => {
      const { affected } = await tx.update(ApiKeyEntity, { id: keyId, projectId, revokedAt: IsNull() }, { revokedAt: new Date() });
      if (affected) await this.state.delete(apiKeyEntryKey(key.keyPrefix));
      return affected;
    }));
    if (!affected) throw new RegistryError('API_KEY_NOT_FOUND', `project ${projectId} has no API key ${keyId}`, { projectId, keyId });
  }

  private async publishEntry(key: ApiKeyEntity): Promise<void> {
    await this.state.set(apiKeyEntryKey(key.keyPrefix), encodeApiKeyEntry({ projectId: key.projectId, keyId: key.id, digest: key.secretHash }));
  }
}
