import { DomainError, ErrorKind } from '@iot/runtime';

const KIND_OF = {
  DEVICE_NOT_FOUND: 'not_found',
  DEVICE_OFFLINE: 'conflict',
  DEVICE_DISABLED: 'conflict',
  INVALID_COMMAND: 'invalid',
  COMMAND_TIMEOUT: 'timeout',
  INVALID_RESPONSE: 'bad_upstream',
} as const satisfies Record<string, ErrorKind>;

export type CommandErrorCode = keyof typeof KIND_OF;

/** The commands module's one exception (STYLE rule 6): a request to a device that did not get its answer. */
export class CommandError extends DomainError {
  constructor(code: CommandErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, KIND_OF[code], message, details);
  }
}
