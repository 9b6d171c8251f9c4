import { Injectable } from '@nestjs/common';
import { StateStore } from '@iot/state-store';

/**
 * The gateway's cache of registry data (credentials, ACL rules) in the shared state store,
 * one hash per project so a registry change drops everything it could affect at once.
 */
@Injectable()
export class RegistryCache {
  constructor(private readonly state: StateStore) {}

  /** Key of a project's cache hash. */
  static keyOf(projectId: string): string {
    return `gateway:registry-cache:${projectId}`;
  }

  async get(projectId: string, entry: string): Promise<string | null> {
    return this.state.hashGet(RegistryCache.keyOf(projectId), entry);
  }

  async put(projectId: string, entry: string, value: string): Promise<void> {
    await this.state.hashSet(RegistryCache.keyOf(projectId), { [entry]: value });
  }

  /** Drops every cached entry of a project; resolves to whether anything was cached. */
  async invalidateProject(projectId: string): Promise<boolean> {
    return (await this.state.delete(RegistryCache.keyOf(projectId))) > 0;
  }
}
