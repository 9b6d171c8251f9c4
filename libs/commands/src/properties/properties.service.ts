import { Injectable } from '@nestjs/common';
import { DeviceTopics } from '@iot/contracts';
import { TIMEOUT_LIMITS } from '../commands/dto/command.dto';
import { DeviceRequestsService } from '../commands/device-requests.service';
import { GetPropertiesQuery, PropertiesGetResultDto, PropertiesSetResultDto, ServicePropertiesDto, SetPropertiesDto } from './dto/properties.dto';
import { requireValid, writeProblems } from './property-writes';

/** Property writes and reads that wait for the device's answer, as commands do (SPEC 4.9). */
@Injectable()
export class PropertiesService {
  constructor(private readonly requests: DeviceRequestsService) {}

  async set(projectId: string, deviceId: string, dto: SetPropertiesDto): Promise<PropertiesSetResultDto> {
    const device = await this.requests.device(projectId, deviceId);
    if (device.model) requireValid(writeProblems(device.model, dto.services));
    const { id, answer } = await this.requests.send(projectId, deviceId, device, {
      kind: 'properties-set',
      topicOf: (requestId) => DeviceTopics.propertiesSet(deviceId, requestId),
      payload: { object_device_id: deviceId, services: dto.services.map((s) => ({ service_id: s.service_id, properties: s.properties })) },
      timeoutMs: dto.timeout_ms ?? TIMEOUT_LIMITS.default,
    });
    return {
      command_id: id,
      response: { result_code: integerOr(answer.result_code, 0), ...(typeof answer.result_desc === 'string' ? { result_desc: answer.result_desc } : {}) },
    };
  }

  async get(projectId: string, deviceId: string, query: GetPropertiesQuery): Promise<PropertiesGetResultDto> {
    const device = await this.requests.device(projectId, deviceId);
    if (device.model && query.service_id !== undefined && !device.model.services.some((s) => s.serviceId === query.service_id)) {
      requireValid([{ field: 'service_id', problems: [`${query.service_id} is not a service of the device's product`] }]);
    }
    const { id, answer } = await this.requests.send(projectId, deviceId, device, {
      kind: 'properties-get',
      topicOf: (requestId) => DeviceTopics.propertiesGet(deviceId, requestId),
      payload: { object_device_id: deviceId, ...(query.service_id !== undefined ? { service_id: query.service_id } : {}) },
      timeoutMs: query.timeout_ms ?? TIMEOUT_LIMITS.default,
    });
    return { command_id: id, response: { services: servicesOf(answer.services) } };
  }
}

const integerOr = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isInteger(value) ? value : fallback);

/** The services a device read out, keeping only well-formed entries. */
function servicesOf(value: unknown): ServicePropertiesDto[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((s): s is { service_id: string; properties: Record<string, unknown> } => typeof s?.service_id === 'string' && typeof s?.properties === 'object' && s.properties !== null && !Array.isArray(s.properties))
    .map((s) => ({ service_id: s.service_id, properties: s.properties }));
}
