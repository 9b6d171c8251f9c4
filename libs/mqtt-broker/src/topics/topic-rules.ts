/** Limits a broker applies to topic names and filters (configurable, with safe defaults). */
export interface TopicLimits {
  maxTopicLength: number;
  maxTopicLevels: number;
}

export const DEFAULT_TOPIC_LIMITS: TopicLimits = { maxTopicLength: 1024, maxTopicLevels: 32 };

/**
 * Why a topic name cannot be published to, or undefined when it can.
 * [MQTT-4.7.3-1] at least one character; [MQTT-3.3.2-2] no wildcards; [MQTT-4.7.3-2] no NUL.
 */
export function topicNameProblem(topic: string, limits: TopicLimits = DEFAULT_TOPIC_LIMITS): string | undefined {
  if (topic.length === 0) return 'topic name is empty';
  if (Buffer.byteLength(topic) > limits.maxTopicLength) return `topic name is longer than ${limits.maxTopicLength} bytes`;
  if (topic.includes('+') || topic.includes('#')) return 'topic name contains a wildcard';
  if (topic.includes('\u0000')) return 'topic name contains NUL';
  if (countLevels(topic) > limits.maxTopicLevels) return `topic name has more than ${limits.maxTopicLevels} levels`;
  return undefined;
}

/**
 * Why a topic filter cannot be subscribed to, or undefined when it can.
 * [MQTT-4.7.1-2] `#` last and alone in its level; [MQTT-4.7.1-3] `+` alone in its level.
 */
export function topicFilterProblem(filter: string, limits: TopicLimits = DEFAULT_TOPIC_LIMITS): string | undefined {
  if (filter.length === 0) return 'topic filter is empty';
  if (Buffer.byteLength(filter) > limits.maxTopicLength) return `topic filter is longer than ${limits.maxTopicLength} bytes`;
  if (filter.includes('\u0000')) return 'topic filter contains NUL';
  const levels = filter.split('/');
  if (levels.length > limits.maxTopicLevels) return `topic filter has more than ${limits.maxTopicLevels} levels`;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return "'#' must be the last level on its own";
    if (level.includes('+') && level !== '+') return "'+' must occupy a whole level";
  }
  return undefined;
}

/** A shared subscription `$share/<group>/<filter>` split into its parts, or undefined. */
export function parseSharedFilter(filter: string): { group: string; filter: string } | undefined {
  if (!filter.startsWith('$share/')) return undefined;
  const rest = filter.slice('$share/'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const group = rest.slice(0, slash);
  if (group.includes('+') || group.includes('#')) return undefined;
  return { group, filter: rest.slice(slash + 1) };
}

function countLevels(topic: string): number {
  let levels = 1;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) === 47) levels++;
  return levels;
}
