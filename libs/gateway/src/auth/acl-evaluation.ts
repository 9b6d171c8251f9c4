import type { ProjectAcl, ProjectAclRule } from '@iot/contracts';
import { parseSharedFilter, topicMatches } from '@iot/mqtt-broker';

export interface AclSubject {
  clientId: string;
  username?: string;
  deviceId?: string;
}

/**
 * Whether `subject` may publish to `topic` (a topic name) or subscribe to it (a filter) under
 * a project's ACL. A device may always use its own `$oc/devices/{its id}/...` topics; beyond
 * those, the rules are tried in order and the first that applies to the subject, the action
 * and the topic decides; when none does, the project's default does. A subscription is
 * allowed by a rule whose filter covers every topic the subscription could match (`a/#`
 * covers `a/+/b`; `a/+` does not cover `a/#`); a shared subscription is judged by its filter.
 */
export function aclAllows(acl: ProjectAcl, subject: AclSubject, action: 'publish' | 'subscribe', topic: string): boolean {
  const target = action === 'subscribe' ? (parseSharedFilter(topic)?.filter ?? topic) : topic;
  if (subject.deviceId !== undefined && isOwnDeviceTopic(target, subject.deviceId)) return true;
  for (const rule of acl.rules) {
    if (rule.action !== 'all' && rule.action !== action) continue;
    if (!appliesTo(rule, subject)) continue;
    const filter = substitute(rule.topic, subject);
    if (filter === undefined) continue;
    if (action === 'publish' ? topicMatches(filter, target) : filterCovers(filter, target)) return rule.permission === 'allow';
  }
  return acl.default === 'allow';
}

function isOwnDeviceTopic(topic: string, deviceId: string): boolean {
  const prefix = `$oc/devices/${deviceId}/`;
  return topic.startsWith(prefix) && topic.length > prefix.length;
}

function appliesTo(rule: ProjectAclRule, subject: AclSubject): boolean {
  switch (rule.whoType) {
    case 'all':
      return true;
    case 'device':
      return subject.deviceId !== undefined && rule.whoValue === subject.deviceId;
    case 'username':
      return subject.username !== undefined && rule.whoValue === subject.username;
    case 'clientid':
      return rule.whoValue === subject.clientId;
  }
}

const PLACEHOLDER = /\$\{(clientid|username|deviceId)\}/g;

/**
 * The rule's filter with the subject's values in place of its placeholders; undefined when a
 * value is missing or could change the filter's shape (`/`, `+`, `#`): such a rule does not
 * apply rather than apply more widely than written.
 */
function substitute(filter: string, subject: AclSubject): string | undefined {
  // Checked per PUBLISH: most rules have no placeholder, and need no regular expression.
  if (!filter.includes('${')) return filter;
  let unusable = false;
  const result = filter.replace(PLACEHOLDER, (_match, name: string) => {
    const value = name === 'clientid' ? subject.clientId : name === 'username' ? subject.username : subject.deviceId;
    if (value === undefined || value === '' || /[/+#]/.test(value)) unusable = true;
    return value ?? '';
  });
  return unusable ? undefined : result;
}

/** Whether every topic `inner` can match is matched by `outer` (both valid filters). */
export function filterCovers(outer: string, inner: string): boolean {
  const o = outer.split('/');
  const i = inner.split('/');
  // Wildcards at the first level never match `$` topics [MQTT-4.7.2-1].
  if (i[0].startsWith('$') !== o[0].startsWith('$') && (o[0] === '#' || o[0] === '+')) return false;
  for (let k = 0; k < o.length; k++) {
    if (o[k] === '#') return true;
    if (k >= i.length) return false;
    if (i[k] === '#') return false;
    if (o[k] === '+') continue;
    if (i[k] === '+' || i[k] !== o[k]) return false;
  }
  return o.length === i.length;
}
