import { Message, RetainedStore, topicMatches } from '@iot/mqtt-broker';
import { StateStore } from '@iot/state-store';
import { fromJson, toJson } from './buffer-json';

const PROJECTS_KEY = 'mqtt:retained-projects';
const projectKey = (projectId: string) => `mqtt:retained:${projectId}`;

/**
 * The broker's RetainedStore on the platform's StateStore: one hash per project (topic →
 * message), so every gateway node sees every node's retained messages. An exact filter reads
 * one field; a wildcard filter reads the project's hash. Expired messages are removed when met.
 */
export class StateRetainedStore implements RetainedStore {
  /** Projects this process has already listed in the projects index: one write each, not one per message. */
  private readonly listed = new Set<string>();

  constructor(private readonly state: StateStore) {}

  async put(message: Message): Promise<void> {
    const key = projectKey(message.projectId);
    if (message.payload.length === 0) {
      await this.state.hashDelete(key, message.topic);
      return;
    }
    await this.state.hashSet(key, { [message.topic]: toJson(message) });
    if (!this.listed.has(message.projectId)) {
      await this.state.hashSet(PROJECTS_KEY, { [message.projectId]: '1' });
      this.listed.add(message.projectId);
    }
  }

  async match(projectId: string, filter: string): Promise<Message[]> {
    const key = projectKey(projectId);
    const now = Date.now();
    if (!filter.includes('+') && !filter.includes('#')) {
      // A filter without wildcards names one topic: one field, not the project's whole hash.
      const text = await this.state.hashGet(key, filter);
      const message = text === null ? undefined : fromJson<Message>(text);
      if (!message) return [];
      if (message.expiresAt !== undefined && message.expiresAt <= now) {
        await this.state.hashDelete(key, filter);
        return [];
      }
      return [message];
    }
    const found: Message[] = [];
    const expired: string[] = [];
    for (const [topic, text] of Object.entries(await this.state.hashGetAll(key))) {
      if (!topicMatches(filter, topic)) continue;
      const message = fromJson<Message>(text);
      if (message.expiresAt !== undefined && message.expiresAt <= now) expired.push(topic);
      else found.push(message);
    }
    if (expired.length > 0) await this.state.hashDelete(key, ...expired);
    return found;
  }

  async count(projectId?: string): Promise<number> {
    if (projectId !== undefined) return this.state.hashSize(projectKey(projectId));
    let n = 0;
    for (const count of (await this.countByProject()).values()) n += count;
    return n;
  }

  /** One read of the projects index, then one per project. */
  async countByProject(): Promise<Map<string, number>> {
    const projects = Object.keys(await this.state.hashGetAll(PROJECTS_KEY));
    const counts = await Promise.all(projects.map((project) => this.state.hashSize(projectKey(project))));
    return new Map(projects.map((project, i) => [project, counts[i]]));
  }
}
