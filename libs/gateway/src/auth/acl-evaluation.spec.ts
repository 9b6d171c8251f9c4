import type { ProjectAcl, ProjectAclRule } from '@iot/contracts';
import { aclAllows, filterCovers } from './acl-evaluation';

const rule = (r: Partial<ProjectAclRule>): ProjectAclRule => ({ whoType: 'all', action: 'all', topic: '#', permission: 'allow', ...r });
const acl = (rules: Partial<ProjectAclRule>[], fallback: 'allow' | 'deny' = 'deny'): ProjectAcl => ({ default: fallback, rules: rules.map(rule) });
const device = { clientId: 'c-1', username: 'u-1', deviceId: 'd-1' };

describe('ACL evaluation', () => {
  it('should apply the default when no rule matches: deny unless configured otherwise', () => {
    expect(aclAllows(acl([]), device, 'publish', 'a/b')).toBe(false);
    expect(aclAllows(acl([], 'allow'), device, 'publish', 'a/b')).toBe(true);
  });

  it('should always let a device use its own $oc/devices/{id}/ topics, and no other device’s', () => {
    expect(aclAllows(acl([]), device, 'publish', '$oc/devices/d-1/sys/messages/up')).toBe(true);
    expect(aclAllows(acl([]), device, 'subscribe', '$oc/devices/d-1/sys/commands/#')).toBe(true);
    expect(aclAllows(acl([]), device, 'publish', '$oc/devices/d-2/sys/messages/up')).toBe(false);
    expect(aclAllows(acl([]), device, 'subscribe', '$oc/devices/+/sys/commands/#')).toBe(false);
    expect(aclAllows(acl([]), { clientId: 'no-device' }, 'publish', '$oc/devices/d-1/sys/messages/up')).toBe(false);
  });

  it('should let the first matching rule decide (the registry orders them)', () => {
    const rules = acl([{ topic: 'sensors/secret', permission: 'deny' }, { topic: 'sensors/#', permission: 'allow' }]);
    expect(aclAllows(rules, device, 'publish', 'sensors/secret')).toBe(false);
    expect(aclAllows(rules, device, 'publish', 'sensors/open')).toBe(true);
  });

  it('should match rules by who and by action', () => {
    const rules = acl([
      { whoType: 'device', whoValue: 'd-1', action: 'publish', topic: 'by-device/#' },
      { whoType: 'username', whoValue: 'u-1', action: 'subscribe', topic: 'by-username/#' },
      { whoType: 'clientid', whoValue: 'c-1', topic: 'by-client/#' },
    ]);
    expect(aclAllows(rules, device, 'publish', 'by-device/x')).toBe(true);
    expect(aclAllows(rules, device, 'subscribe', 'by-device/x')).toBe(false);
    expect(aclAllows(rules, device, 'subscribe', 'by-username/x')).toBe(true);
    expect(aclAllows(rules, device, 'publish', 'by-username/x')).toBe(false);
    expect(aclAllows(rules, device, 'publish', 'by-client/x')).toBe(true);
    expect(aclAllows(rules, { ...device, clientId: 'other' }, 'publish', 'by-client/x')).toBe(false);
    expect(aclAllows(rules, { ...device, deviceId: 'd-2' }, 'publish', 'by-device/x')).toBe(false);
  });

  it('should fill ${clientid}, ${username} and ${deviceId}, and skip a rule whose value would widen it', () => {
    const rules = acl([{ topic: 'home/${deviceId}/${username}/${clientid}/#' }]);
    expect(aclAllows(rules, device, 'publish', 'home/d-1/u-1/c-1/temp')).toBe(true);
    expect(aclAllows(rules, device, 'publish', 'home/d-2/u-1/c-1/temp')).toBe(false);
    expect(aclAllows(rules, { clientId: 'c-1', username: 'u-1' }, 'publish', 'home//u-1/c-1/temp')).toBe(false); // no device id
    expect(aclAllows(acl([{ topic: 'by/${clientid}' }]), { clientId: '#' }, 'publish', 'by/x')).toBe(false);
    expect(aclAllows(acl([{ topic: 'by/${clientid}' }]), { clientId: 'a/b' }, 'publish', 'by/a/b')).toBe(false);
  });

  it('should allow a subscription only where a rule covers all it could match, shared ones by their filter', () => {
    const rules = acl([{ topic: 'sensors/+/temp' }]);
    expect(aclAllows(rules, device, 'subscribe', 'sensors/a/temp')).toBe(true);
    expect(aclAllows(rules, device, 'subscribe', 'sensors/+/temp')).toBe(true);
    expect(aclAllows(rules, device, 'subscribe', 'sensors/#')).toBe(false);
    expect(aclAllows(rules, device, 'subscribe', '$share/g1/sensors/+/temp')).toBe(true);
    expect(aclAllows(rules, device, 'subscribe', '$share/g1/sensors/#')).toBe(false);
  });

  it.each([
    ['#', 'a/b', true],
    ['a/#', 'a', true],
    ['a/#', 'a/+/c', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/#', false],
    ['a/+', 'a/b/c', false],
    ['a/b', 'a/+', false],
    ['+/b', 'a/b', true],
    ['#', '$oc/devices/x', false],
    ['$oc/#', '$oc/devices/x', true],
  ])('should know that %s covers %s: %s', (outer, inner, covers) => {
    expect(filterCovers(outer, inner)).toBe(covers);
  });
});
