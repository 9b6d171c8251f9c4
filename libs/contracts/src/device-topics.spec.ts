import { DeviceTopics, parseReplyTopic } from './device-topics';
import { thingValueProblems, thingValuesProblems } from './thing-model';

describe(parseReplyTopic.name, () => {
  it('should read the device, the kind and the request id of each answer topic', () => {
    expect(parseReplyTopic('$oc/devices/pump-1/sys/commands/response/request_id=abc-1')).toEqual({ deviceId: 'pump-1', kind: 'command', requestId: 'abc-1' });
    expect(parseReplyTopic('$oc/devices/pump-1/sys/properties/set/response/request_id=x')).toEqual({ deviceId: 'pump-1', kind: 'properties-set', requestId: 'x' });
    expect(parseReplyTopic('$oc/devices/pump-1/sys/properties/get/response/request_id=y')).toEqual({ deviceId: 'pump-1', kind: 'properties-get', requestId: 'y' });
  });

  it('should not take requests, reports or other topics for answers', () => {
    for (const topic of [DeviceTopics.command('pump-1', 'r'), DeviceTopics.propertiesReport('pump-1'), '$oc/devices/pump-1/sys/commands/response/request_id=', 'farm/telemetry', '$oc/devices/a/b/sys/commands/response/request_id=r']) {
      expect(parseReplyTopic(topic)).toBeUndefined();
    }
  });
});

describe(thingValuesProblems.name, () => {
  const defs = [
    { name: 'rpm', type: 'int' as const, min: 0, max: 3000, required: true },
    { name: 'mode', type: 'enum' as const, enumValues: ['eco', 'boost'] },
    { name: 'label', type: 'string' as const, maxLength: 4 },
  ];

  it('should name unknown, missing and wrong values by field', () => {
    expect(thingValuesProblems('paras', defs, { rpm: 1, mode: 'eco', label: 'ab' }, { requireRequired: true })).toEqual([]);
    expect(thingValuesProblems('paras', defs, { rpm: 3001, mode: 'fast', label: 'abcde', extra: 1 }, { requireRequired: true }).map((p) => p.field)).toEqual(['paras.rpm', 'paras.mode', 'paras.label', 'paras.extra']);
    expect(thingValuesProblems('paras', defs, {}, { requireRequired: true })).toEqual([{ field: 'paras.rpm', problems: ['is required'] }]);
    expect(thingValuesProblems('paras', defs, {}, { requireRequired: false })).toEqual([]);
  });

  it('should check each data type', () => {
    expect(thingValueProblems({ name: 'x', type: 'int' }, 1.5)).toEqual(['must be an integer']);
    expect(thingValueProblems({ name: 'x', type: 'int' }, 2 ** 31)).toEqual(['must be a 32-bit integer']);
    expect(thingValueProblems({ name: 'x', type: 'long' }, 2 ** 40)).toEqual([]);
    expect(thingValueProblems({ name: 'x', type: 'decimal', min: 1 }, 0.5)).toEqual(['must not be less than 1']);
    expect(thingValueProblems({ name: 'x', type: 'boolean' }, 'true')).toEqual(['must be a boolean']);
    expect(thingValueProblems({ name: 'x', type: 'datetime' }, '2026-12-01T10:00:00Z')).toEqual([]);
    expect(thingValueProblems({ name: 'x', type: 'datetime' }, 'yesterday')).toHaveLength(1);
    expect(thingValueProblems({ name: 'x', type: 'json' }, { any: ['thing'] })).toEqual([]);
  });
});
