import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { decodeDeviceAuthEntry, deviceAuthKey, verifyPassword } from '@iot/contracts';
import type { AuthenticationRequest, AuthenticationResult, BrokerHooks } from '@iot/mqtt-broker';
import { ROOT_LOGGER } from '@iot/runtime';
import { StateStore } from '@iot/state-store';
import { GATEWAY_OPTIONS, GatewayOptions } from '../gateway.options';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle } from './login-throttle';

/** The project anonymous clients land in, when anonymous access is configured. */
export const ANONYMOUS_PROJECT = 'default';

/**
 * Authenticates a CONNECT against the device registry's credentials: the username finds the
 * device's entry in the shared state store (DeviceAuthEntry, written by the registry), the
 * password is checked against its slow hash, and the device must be enabled and inside its
 * credentials' validity window — whose end also ends the connection. Without a username a
 * client is anonymous: admitted into `default` only when MQTT_ALLOW_ANONYMOUS is set; so is
 * a username no device has, then (the broker's usual "anonymous also covers unknown users").
 * Failed logins are rate limited per username and per address (LoginThrottle).
 */
@Injectable()
export class DeviceAuthenticator {
  private readonly allowAnonymous: boolean;
  /** Failed logins, per username and per address (see LoginThrottle). */
  readonly throttle: LoginThrottle;

  constructor(
    private readonly state: StateStore,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.allowAnonymous = options.mqtt.allowAnonymous;
    this.throttle = new LoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, ...options.mqtt.loginFailures });
  }

  hooks(): Pick<BrokerHooks, 'authenticate'> {
    return { authenticate: (request) => this.authenticate(request) };
  }

  async authenticate(request: AuthenticationRequest): Promise<AuthenticationResult> {
    if (this.throttle.blocked(request.username, request.peerAddress)) return { ok: false, reason: 'banned' };
    const result = await this.check(request);
    if (result.ok) this.throttle.succeeded(request.username);
    else if (result.reason !== 'unavailable') this.throttle.failed(request.username, request.peerAddress);
    return result;
  }

  private async check(request: AuthenticationRequest): Promise<AuthenticationResult> {
    const anonymous: AuthenticationResult = this.allowAnonymous ? { ok: true, projectId: ANONYMOUS_PROJECT } : { ok: false, reason: 'not-authorized' };
    if (request.username === undefined) return anonymous;
    let stored: string | null;
    try {
      stored = await this.state.get(deviceAuthKey(request.username));
    } catch (error) {
      this.logger.warn({ err: error }, 'device credentials could not be read');
      return { ok: false, reason: 'unavailable' };
    }
    if (stored === null) return this.allowAnonymous ? anonymous : { ok: false, reason: 'bad-credentials' };
    const entry = decodeDeviceAuthEntry(stored);
    if (!entry) {
      this.logger.error({ username: request.username }, 'the device credentials entry is malformed: refused');
      return { ok: false, reason: 'bad-credentials' };
    }
    // The project is known from here on: its statistics count the refusals (the client is never told).
    const projectId = entry.projectId;
    if (!entry.passwordHash || !request.password || !(await verifyPassword(request.password.toString('utf8'), entry.passwordHash))) {
      return { ok: false, reason: 'bad-credentials', projectId };
    }
    // Checked after the password, so a wrong password tells nothing about the device's state.
    const now = Date.now();
    if (!entry.enabled) return { ok: false, reason: 'not-authorized', projectId };
    if (entry.notBefore && now < Date.parse(entry.notBefore)) return { ok: false, reason: 'not-authorized', projectId };
    if (entry.notAfter && now >= Date.parse(entry.notAfter)) return { ok: false, reason: 'not-authorized', projectId };
    return { ok: true, projectId: entry.projectId, deviceId: entry.deviceId, ...(entry.notAfter ? { expiresAt: Date.parse(entry.notAfter) } : {}) };
  }
}
