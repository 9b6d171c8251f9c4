import { BaseEnv, WithDatabase, WithKafka } from './base-env';
import { ConfigError } from './config-error';
import { EnvBool } from './env-decorators';
import { loadEnv } from './load-env';

class SampleEnv extends WithDatabase(WithKafka(BaseEnv), { url: 'pglite://memory', migrate: true }) {
  @EnvBool()
  FEATURE = false;
}

describe(loadEnv.name, () => {
  it('should apply defaults when nothing is set', () => {
    const env = loadEnv(SampleEnv, {});
    expect(env.HTTP_PORT).toBe(8080);
    expect(env.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(env.DATABASE_URL).toBe('pglite://memory');
    expect(env.DATABASE_MIGRATE).toBe(true);
    expect(env.FEATURE).toBe(false);
  });

  it('should convert numbers, booleans and lists', () => {
    const env = loadEnv(SampleEnv, { HTTP_PORT: '9000', FEATURE: 'true', KAFKA_BROKERS: 'a:1, b:2' });
    expect(env.HTTP_PORT).toBe(9000);
    expect(env.FEATURE).toBe(true);
    expect(env.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
  });

  it('should treat an empty variable as unset', () => {
    expect(loadEnv(SampleEnv, { HTTP_PORT: '' }).HTTP_PORT).toBe(8080);
  });

  it('should name every bad variable and the value it saw', () => {
    let error: unknown;
    try {
      loadEnv(SampleEnv, { HTTP_PORT: 'abc', FEATURE: 'yes', DATABASE_URL: 'mysql://x', KAFKA_BROKERS: 'nohostport' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^HTTP_PORT: .*must be an integer.*\(got "abc"\)$/m);
    expect(problems).toMatch(/^FEATURE: must be true or false \(got "yes"\)$/m);
    expect(problems).toMatch(/^DATABASE_URL: must be a URL starting with postgres:\/\/.*\(got "mysql:\/\/x"\)$/m);
    expect(problems).toMatch(/^KAFKA_BROKERS: must be a comma-separated list of host:port/m);
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it('should reject a port out of range', () => {
    expect(() => loadEnv(SampleEnv, { HTTP_PORT: '70000' })).toThrow(/HTTP_PORT: must be at most 65535/);
  });

  it('should fix V8 heap growing at 100% unless told otherwise, within 0 to 400', () => {
    expect(loadEnv(SampleEnv, {}).V8_HEAP_GROWING_PERCENT).toBe(100);
    expect(loadEnv(SampleEnv, { V8_HEAP_GROWING_PERCENT: '0' }).V8_HEAP_GROWING_PERCENT).toBe(0);
    expect(() => loadEnv(SampleEnv, { V8_HEAP_GROWING_PERCENT: '500' })).toThrow(/V8_HEAP_GROWING_PERCENT: must be at most 400/);
    expect(() => loadEnv(SampleEnv, { V8_HEAP_GROWING_PERCENT: 'double' })).toThrow(/V8_HEAP_GROWING_PERCENT: .*must be an integer/);
  });

  it('should switch V8 allocation-site pretenuring off unless told otherwise, true or false only', () => {
    expect(loadEnv(SampleEnv, {}).V8_ALLOCATION_SITE_PRETENURING).toBe(false);
    expect(loadEnv(SampleEnv, { V8_ALLOCATION_SITE_PRETENURING: 'true' }).V8_ALLOCATION_SITE_PRETENURING).toBe(true);
    expect(() => loadEnv(SampleEnv, { V8_ALLOCATION_SITE_PRETENURING: 'yes' })).toThrow(/V8_ALLOCATION_SITE_PRETENURING: must be true or false/);
  });
});
