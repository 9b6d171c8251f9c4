import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { isUUID } from 'class-validator';
import { DataSource, IsNull } from 'typeorm';
import { ProjectEntity } from '../projects/project.entity';
import { projectNotFound } from '../projects/projects.service';
import { RegistryError } from '../registry.errors';
import { ApiKeyEntity } from './api-key.entity';
import { issueToken, prefixOf, tokenMatches } from './api-key-token';
import { ApiKeyDto, CreateApiKeyDto, IssuedApiKeyDto } from './dto/api-key.dto';

/** A project's API keys: issued (the key shown once), listed, revoked, and checked per request. */
@Injectable()
export class ApiKeysService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async issue(projectId: string, dto: CreateApiKeyDto): Promise<IssuedApiKeyDto> {
    return this.db.transaction(async (tx) => {
      if (!(await tx.existsBy(ProjectEntity, { id: projectId }))) throw projectNotFound(projectId);
      const { token, prefix, digest } = issueToken();
      const saved = await tx.save(tx.create(ApiKeyEntity, { id: randomUUID(), projectId, name: dto.name, keyPrefix: prefix, secretHash: digest, revokedAt: null }));
      return { ...ApiKeyDto.from(saved), key: token };
    });
  }

  async list(projectId: string): Promise<ApiKeyDto[]> {
    if (!(await this.db.getRepository(ProjectEntity).existsBy({ id: projectId }))) throw projectNotFound(projectId);
    const keys = await this.db.getRepository(ApiKeyEntity).find({ where: { projectId, revokedAt: IsNull() }, order: { createdAt: 'ASC' } });
    return keys.map(ApiKeyDto.from);
  }

  /** Revokes a key: every later request bearing it is refused. */
  async revoke(projectId: string, keyId: string): Promise<void> {
    // Not a key id at all is no such key (and never reaches PostgreSQL's uuid parser).
    const affected = !isUUID(keyId) ? 0 : (await this.db.getRepository(ApiKeyEntity).update({ id: keyId, projectId, revokedAt: IsNull() }, { revokedAt: new Date() })).affected;
    if (!affected) throw new RegistryError('API_KEY_NOT_FOUND', `project ${projectId} has no API key ${keyId}`, { projectId, keyId });
  }

  /** The live key a bearer token is, if it is one. */
  async authenticate(token: string): Promise<{ projectId: string; keyId: string } | undefined> {
    const prefix = prefixOf(token);
    if (prefix === undefined) return undefined;
    const candidates = await this.db.getRepository(ApiKeyEntity).findBy({ keyPrefix: prefix, revokedAt: IsNull() });
    const key = candidates.find((candidate) => tokenMatches(token, candidate.secretHash));
    return key && { projectId: key.projectId, keyId: key.id };
  }
}
