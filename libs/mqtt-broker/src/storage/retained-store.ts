import { Message } from '../message';

/**
 * Retained messages of every project. In memory for one node; Redis for a cluster, so a
 * subscriber on any node gets every node's retained messages.
 */
export interface RetainedStore {
  /** Stores a retained message; an empty payload deletes the topic's [MQTT-3.3.1-10]. */
  put(message: Message): Promise<void>;
  /** Retained messages whose topic matches a filter, skipping expired ones. */
  match(projectId: string, filter: string): Promise<Message[]>;
  /** Retained messages held, in one project or in all. */
  count(projectId?: string): Promise<number>;
  /** Retained messages held per project (projects holding none may be left out). */
  countByProject(): Promise<Map<string, number>>;
}
