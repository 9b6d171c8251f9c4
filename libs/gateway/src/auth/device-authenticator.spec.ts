import pino from 'pino';
import { DeviceAuthEntry, deviceAuthKey, encodeDeviceAuthEntry, hashPassword } from '@iot/contracts';
import { MemoryStateStore, StateStore } from '@iot/state-store';
import type { GatewayOptions } from '../gateway.options';
import { DeviceAuthenticator } from './device-authenticator';

const options = (allowAnonymous: boolean) => ({ mqtt: { allowAnonymous } }) as GatewayOptions;
const request = (username?: string, password?: string) => ({ clientId: 'c1', username, password: password === undefined ? undefined : Buffer.from(password), peerAddress: '127.0.0.1', protocolVersion: 5 as const });

describe(DeviceAuthenticator.name, () => {
  let state: MemoryStateStore;
  let passwordHash: string;
  const put = (username: string, entry: Partial<DeviceAuthEntry>) =>
    state.set(deviceAuthKey(username), encodeDeviceAuthEntry({ projectId: 'p1', deviceId: 'd1', enabled: true, passwordHash, ...entry }));
  const authenticator = (allowAnonymous = false, store: StateStore = state) => new DeviceAuthenticator(store, options(allowAnonymous), pino({ level: 'silent' }));

  beforeAll(async () => {
    passwordHash = await hashPassword('right-password');
  });
  beforeEach(() => {
    state = new MemoryStateStore();
  });

  it('should admit a device with its password, into its project', async () => {
    await put('pump', {});
    await expect(authenticator().authenticate(request('pump', 'right-password'))).resolves.toEqual({ ok: true, projectId: 'p1', deviceId: 'd1' });
  });

  it('should refuse a wrong or missing password, and a device without credentials, as bad credentials of the device\'s project', async () => {
    await put('pump', {});
    await put('bare', { passwordHash: undefined });
    for (const attempt of [request('pump', 'wrong-password'), request('pump'), request('bare', 'anything')]) {
      await expect(authenticator().authenticate(attempt)).resolves.toEqual({ ok: false, reason: 'bad-credentials', projectId: 'p1' });
    }
  });

  it('should refuse a disabled device and credentials outside their window as not authorized — only with the right password', async () => {
    const hour = 3_600_000;
    await put('off', { enabled: false });
    await put('early', { notBefore: new Date(Date.now() + hour).toISOString() });
    await put('late', { notAfter: new Date(Date.now() - hour).toISOString() });
    for (const username of ['off', 'early', 'late']) {
      await expect(authenticator().authenticate(request(username, 'right-password'))).resolves.toEqual({ ok: false, reason: 'not-authorized', projectId: 'p1' });
      await expect(authenticator().authenticate(request(username, 'wrong-password'))).resolves.toEqual({ ok: false, reason: 'bad-credentials', projectId: 'p1' });
    }
  });

  it('should hand the end of the credentials to the broker', async () => {
    const notAfter = new Date(Date.now() + 60_000).toISOString();
    await put('window', { notBefore: new Date(Date.now() - 60_000).toISOString(), notAfter });
    await expect(authenticator().authenticate(request('window', 'right-password'))).resolves.toEqual({ ok: true, projectId: 'p1', deviceId: 'd1', expiresAt: Date.parse(notAfter) });
  });

  it('should admit anonymous clients (no username, or one no device has) into default only when configured', async () => {
    await expect(authenticator(false).authenticate(request())).resolves.toEqual({ ok: false, reason: 'not-authorized' });
    await expect(authenticator(false).authenticate(request('nobody', 'x'))).resolves.toEqual({ ok: false, reason: 'bad-credentials' });
    await expect(authenticator(true).authenticate(request())).resolves.toEqual({ ok: true, projectId: 'default' });
    await expect(authenticator(true).authenticate(request('nobody', 'x'))).resolves.toEqual({ ok: true, projectId: 'default' });
    // A known device is checked even then.
    await put('pump', {});
    await expect(authenticator(true).authenticate(request('pump', 'wrong-password'))).resolves.toEqual({ ok: false, reason: 'bad-credentials', projectId: 'p1' });
  });

  it('should refuse attempts unchecked (banned) once a username failed too often, and not count an outage', async () => {
    await put('pump', {});
    const auth = authenticator();
    for (let i = 0; i < 10; i++) await expect(auth.authenticate(request('pump', 'wrong-password'))).resolves.toEqual({ ok: false, reason: 'bad-credentials', projectId: 'p1' });
    await expect(auth.authenticate(request('pump', 'right-password'))).resolves.toEqual({ ok: false, reason: 'banned' });
    const failing = Object.assign(new MemoryStateStore(), { get: () => Promise.reject(new Error('connection refused')) });
    const during = authenticator(false, failing);
    for (let i = 0; i < 12; i++) await expect(during.authenticate(request('valve', 'x'))).resolves.toEqual({ ok: false, reason: 'unavailable' });
  });

  it('should refuse a malformed entry, and answer unavailable when the store fails', async () => {
    await state.set(deviceAuthKey('broken'), '{"projectId":"p1"}');
    await expect(authenticator().authenticate(request('broken', 'right-password'))).resolves.toEqual({ ok: false, reason: 'bad-credentials' });
    const failing = Object.assign(new MemoryStateStore(), { get: () => Promise.reject(new Error('connection refused')) });
    await expect(authenticator(false, failing).authenticate(request('pump', 'right-password'))).resolves.toEqual({ ok: false, reason: 'unavailable' });
  });
});
