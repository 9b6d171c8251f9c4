import { Injectable } from '@nestjs/common';
import { DeviceTopics, ThingModel, thingValuesProblems } from '@iot/contracts';
import { CommandError } from './command.errors';
import { DeviceRequestsService } from './device-requests.service';
import { CommandResultDto, SendCommandDto, TIMEOUT_LIMITS } from './dto/command.dto';

/** Synchronous commands (SPEC 4.9): checked against the device's thing model, sent, answered. */
@Injectable()
export class CommandsService {
  constructor(private readonly requests: DeviceRequestsService) {}

  async send(projectId: string, deviceId: string, dto: SendCommandDto): Promise<CommandResultDto> {
    const device = await this.requests.device(projectId, deviceId);
    const paras = dto.paras ?? {};
    if (device.model) requireValidCommand(device.model, dto, paras);
    const { id, answer } = await this.requests.send(projectId, deviceId, device, {
      kind: 'command',
      topicOf: (requestId) => DeviceTopics.command(deviceId, requestId),
      payload: { object_device_id: deviceId, service_id: dto.service_id, command_name: dto.command_name, paras },
      timeoutMs: dto.timeout_ms ?? TIMEOUT_LIMITS.default,
    });
    return { command_id: id, response: commandResponseOf(answer) };
  }
}

/** @throws INVALID_COMMAND naming each field the model does not allow. */
function requireValidCommand(model: ThingModel, dto: SendCommandDto, paras: Record<string, unknown>): void {
  const service = model.services.find((s) => s.serviceId === dto.service_id);
  const invalid = (fields: { field: string; problems: string[] }[]) =>
    new CommandError('INVALID_COMMAND', fields.map((f) => `${f.field}: ${f.problems.join(', ')}`).join('; '), { fields });
  if (!service) throw invalid([{ field: 'service_id', problems: [`${dto.service_id} is not a service of the device's product`] }]);
  const command = service.commands?.find((c) => c.name === dto.command_name);
  if (!command) throw invalid([{ field: 'command_name', problems: [`${dto.command_name} is not a command of service ${dto.service_id}`] }]);
  const problems = thingValuesProblems('paras', command.parameters, paras, { requireRequired: true });
  if (problems.length > 0) throw invalid(problems);
}

/** IoTDA's command answer; a missing result_code counts as 0 (success), as IoTDA's devices send it. */
function commandResponseOf(answer: Record<string, unknown>): CommandResultDto['response'] {
  const resultCode = answer.result_code;
  return {
    result_code: typeof resultCode === 'number' && Number.isInteger(resultCode) ? resultCode : 0,
    ...(typeof answer.response_name === 'string' ? { response_name: answer.response_name } : {}),
    ...(typeof answer.paras === 'object' && answer.paras !== null && !Array.isArray(answer.paras) ? { paras: answer.paras as Record<string, unknown> } : {}),
  };
}
