import { Message } from './message';
import { topicMatches } from './topics/topic-match';

/** Retained messages per project, in memory (a Redis-backed store comes with clustering). */
export class RetainedStore {
  private readonly byProject = new Map<string, Map<string, Message>>();

  /** Stores a retained message; an empty payload deletes the topic's ([MQTT-3.3.1-10]). */
  put(message: Message): void {
    let topics = this.byProject.get(message.projectId);
    if (message.payload.length === 0) {
      topics?.delete(message.topic);
      if (topics?.size === 0) this.byProject.delete(message.projectId);
      return;
    }
    if (!topics) this.byProject.set(message.projectId, (topics = new Map()));
    topics.set(message.topic, message);
  }

  /** Retained messages matching a filter, skipping expired ones. */
  match(projectId: string, filter: string, now = Date.now()): Message[] {
    const found: Message[] = [];
    for (const [topic, message] of this.byProject.get(projectId) ?? []) {
      if (message.expiresAt !== undefined && message.expiresAt <= now) continue;
      if (topicMatches(filter, topic)) found.push(message);
    }
    return found;
  }

  get size(): number {
    let n = 0;
    for (const topics of this.byProject.values()) n += topics.size;
    return n;
  }
}
