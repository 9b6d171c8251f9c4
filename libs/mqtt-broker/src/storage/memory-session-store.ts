import { SessionSnapshot, SessionStore, snapshotExpired } from './session-store';

/** Sessions in this process's memory: one node, or several brokers sharing one store in tests. */
export class MemorySessionStore implements SessionStore {
  private readonly snapshots = new Map<string, SessionSnapshot>();

  async load(projectId: string, clientId: string): Promise<SessionSnapshot | undefined> {
    const key = storeKey(projectId, clientId);
    const snapshot = this.snapshots.get(key);
    if (snapshot && snapshotExpired(snapshot)) {
      this.snapshots.delete(key);
      return undefined;
    }
    return snapshot;
  }

  async save(snapshot: SessionSnapshot): Promise<void> {
    this.snapshots.set(storeKey(snapshot.projectId, snapshot.clientId), snapshot);
  }

  async delete(projectId: string, clientId: string): Promise<void> {
    this.snapshots.delete(storeKey(projectId, clientId));
  }

  get size(): number {
    return this.snapshots.size;
  }
}

const storeKey = (projectId: string, clientId: string) => `${projectId}\u0000${clientId}`;
