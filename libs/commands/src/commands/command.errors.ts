import { DomainError, ErrorKind } from '@iot/runtime';

const KIND_OF = {
  DEVICE_NOT_FOUND: 'not_found',
  DEVICE_OFFLINE: 'conflict',
  DEVICE_DISABLED: 'conflict',
  INVALID_COMMAND: 'invalid',
  COMMAND_TIMEOUT: 'timeout',
  INVALID_RESPONSE: 'bad_upstream',
  MESSAGE_EXISTS: 'conflict',
  MESSAGE_NOT_FOUND: 'not_found',
  TASK_NOT_FOUND: 'not_found',
  TASK_FINISHED: 'conflict',
} as const satisfies Record<string, ErrorKind>;

export type CommandErrorCode = keyof typeof KIND_OF;

/** The command service's one exception (STYLE rule 6): what went wrong with a request or message to a device. */
export class CommandError extends DomainError {
  constructor(code: CommandErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, KIND_OF[code], message, details);
  }
}
