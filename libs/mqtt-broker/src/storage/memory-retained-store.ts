import { Message } from '../message';
import { topicMatches } from '../topics/topic-match';
import { RetainedStore } from './retained-store';

/** Retained messages in this process's memory, by project then topic. */
export class MemoryRetainedStore implements RetainedStore {
  private readonly byProject = new Map<string, Map<string, Message>>();

  async put(message: Message): Promise<void> {
    let topics = this.byProject.get(message.projectId);
    if (message.payload.length === 0) {
      topics?.delete(message.topic);
      if (topics?.size === 0) this.byProject.delete(message.projectId);
      return;
    }
    if (!topics) this.byProject.set(message.projectId, (topics = new Map()));
    topics.set(message.topic, message);
  }

  async match(projectId: string, filter: string): Promise<Message[]> {
    const now = Date.now();
    const found: Message[] = [];
    for (const [topic, message] of this.byProject.get(projectId) ?? []) {
      if (message.expiresAt !== undefined && message.expiresAt <= now) continue;
      if (topicMatches(filter, topic)) found.push(message);
    }
    return found;
  }

  async count(projectId?: string): Promise<number> {
    if (projectId !== undefined) return this.byProject.get(projectId)?.size ?? 0;
    let n = 0;
    for (const topics of this.byProject.values()) n += topics.size;
    return n;
  }

  async countByProject(): Promise<Map<string, number>> {
    return new Map([...this.byProject].map(([projectId, topics]) => [projectId, topics.size]));
  }
}
