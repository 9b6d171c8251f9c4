import { ExecutionContext } from '@nestjs/common';
import { RegistryError } from '../registry.errors';
import { OperatorKeyGuard } from './operator-key.guard';

const contextWith = (authorization?: string) =>
  ({ switchToHttp: () => ({ getRequest: () => ({ headers: authorization === undefined ? {} : { authorization } }) }) }) as unknown as ExecutionContext;

describe(OperatorKeyGuard.name, () => {
  const guard = new OperatorKeyGuard({ operatorKey: 'correct-operator-key-123' });

  it('should admit the operator key', () => {
    expect(guard.canActivate(contextWith('Bearer correct-operator-key-123'))).toBe(true);
  });

  it.each([undefined, '', 'Bearer', 'Bearer wrong', 'Basic correct-operator-key-123', 'Bearer correct-operator-key-1234', 'bearer correct-operator-key-123'])(
    'should refuse %p',
    (header) => {
      expect(() => guard.canActivate(contextWith(header))).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED', kind: 'unauthenticated' }));
    },
  );

  it('should refuse everything when no operator key is configured', () => {
    const disabled = new OperatorKeyGuard({});
    expect(() => disabled.canActivate(contextWith('Bearer anything'))).toThrow(RegistryError);
    expect(() => disabled.canActivate(contextWith('Bearer anything'))).toThrow(/IOT_OPERATOR_KEY is not set/);
  });
});
