import { SessionSnapshot, SessionStore, snapshotExpired } from '@iot/mqtt-broker';
import { StateStore } from '@iot/state-store';
import { fromJson, toJson } from './buffer-json';

const NEVER_EXPIRES = 0xffffffff;

/**
 * The broker's SessionStore on the platform's StateStore: Redis in a cluster, so a client
 * resumes its session on whichever node it reconnects to; memory in standalone mode. One
 * key per session, expiring with the session itself.
 */
export class StateSessionStore implements SessionStore {
  constructor(private readonly state: StateStore) {}

  async load(projectId: string, clientId: string): Promise<SessionSnapshot | undefined> {
    const text = await this.state.get(sessionStateKey(projectId, clientId));
    if (text === null) return undefined;
    const snapshot = fromJson<SessionSnapshot>(text);
    return snapshotExpired(snapshot) ? undefined : snapshot;
  }

  async save(snapshot: SessionSnapshot): Promise<void> {
    const ttlMs = snapshot.expiryInterval === NEVER_EXPIRES ? undefined : Math.max(1, snapshot.disconnectedAt + snapshot.expiryInterval * 1000 - Date.now());
    await this.state.set(sessionStateKey(snapshot.projectId, snapshot.clientId), toJson(snapshot), { ttlMs });
  }

  async delete(projectId: string, clientId: string): Promise<void> {
    await this.state.delete(sessionStateKey(projectId, clientId));
  }
}

/** Keys are namespaced by owner (StateStore convention); client ids may hold any character. */
export const sessionStateKey = (projectId: string, clientId: string) => `mqtt:session:${projectId}:${encodeURIComponent(clientId)}`;
