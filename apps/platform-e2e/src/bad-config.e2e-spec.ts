import { ServiceProcess } from '@iot/testing';

/** Configuration is validated once at boot; a bad value stops the process and names the variable. */
describe('configuration validation at boot', () => {
  it.each(['standalone', 'device-registry', 'mqtt-gateway', 'command-service', 'rule-service'])(
    '%s should exit 1 naming every bad variable',
    async (app) => {
      const proc = ServiceProcess.start(app, { HTTP_PORT: 'eighty', LOG_LEVEL: 'loud' });
      const { code } = await proc.exited;
      expect(code).toBe(1);
      expect(proc.output).toMatch(/HTTP_PORT: must be an integer.*\(got "eighty"\)/);
      expect(proc.output).toMatch(/LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)/);
    },
  );

  it.each([
    ['device-registry', { DATABASE_URL: 'mysql://root@localhost/iot' }, /DATABASE_URL: must be a URL starting with postgres:\/\//],
    ['mqtt-gateway', { KAFKA_BROKERS: 'localhost' }, /KAFKA_BROKERS: must be a comma-separated list of host:port/],
    ['command-service', { REDIS_URL: 'localhost:6379' }, /REDIS_URL: must be a URL starting with redis:\/\//],
    ['standalone', { IOT_OPERATOR_KEY: 'short' }, /IOT_OPERATOR_KEY: must be 16 to 256 characters long/],
    ['rule-service', { DATABASE_MIGRATE: 'yes' }, /DATABASE_MIGRATE: must be true or false \(got "yes"\)/],
    ['mqtt-gateway', { MQTT_TLS_CERT_FILE: '/nonexistent/cert.pem', MQTT_TLS_KEY_FILE: '/nonexistent/key.pem' }, /MQTT_TLS_CERT_FILE: cannot read \/nonexistent\/cert.pem \(ENOENT\)/],
    ['standalone', { MQTT_TLS_CERT_FILE: '/nonexistent/cert.pem' }, /MQTT_TLS_KEY_FILE: must be set together with MQTT_TLS_CERT_FILE/],
    ['mqtt-gateway', { MQTT_ALLOW_ANONYMOUS: '1' }, /MQTT_ALLOW_ANONYMOUS: must be true or false \(got "1"\)/],
  ])('%s should refuse %p', async (app, env, message) => {
    const proc = ServiceProcess.start(app, env as Record<string, string>);
    expect((await proc.exited).code).toBe(1);
    expect(proc.output).toMatch(message);
  });
});
