import { Inject, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { EventPublisher } from '@iot/bus';
import { GatewayCommand, GatewayCommandValue } from '@iot/contracts';
import { DomainError } from '@iot/runtime';
import { BatchItemResultDto, BatchPublishedDto, PublishDto, PublishedDto } from './publish.dto';

export const COMMAND_EVENTS = Symbol('COMMAND_EVENTS');
const MAX_PAYLOAD_BYTES = 256 * 1024;
export const MAX_BATCH = 1_000;

class PublishError extends DomainError {
  constructor(code: 'PAYLOAD_INVALID' | 'BATCH_INVALID', message: string, details?: Record<string, unknown>) {
    super(code, 'invalid', message, details);
  }
}

/**
 * Publishes as the platform into a project's namespace: the message goes to the gateway
 * cluster (`gateway.command.v1`, action publish), and every node delivers it to the
 * project's matching subscribers — whichever node holds them.
 */
@Injectable()
export class PublishService {
  constructor(@Inject(COMMAND_EVENTS) private readonly events: EventPublisher) {}

  async publish(projectId: string, dto: PublishDto): Promise<PublishedDto> {
    await this.events.publish(GatewayCommand, commandOf(projectId, dto));
    return { topic: dto.topic, accepted: true };
  }

  /** Each item on its own: the valid ones are published, the others reported, in order. */
  async publishBatch(projectId: string, items: unknown): Promise<BatchPublishedDto> {
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH) {
      throw new PublishError('BATCH_INVALID', `the body must be an array of 1 to ${MAX_BATCH} messages`);
    }
    const results: BatchItemResultDto[] = [];
    for (const [index, item] of items.entries()) {
      const dto = plainToInstance(PublishDto, item);
      const errors = typeof item === 'object' && item !== null && !Array.isArray(item) ? validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }) : [];
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        results.push({ index, accepted: false, error: 'VALIDATION_FAILED', message: 'each item must be an object' });
        continue;
      }
      if (errors.length > 0) {
        results.push({ index, accepted: false, error: 'VALIDATION_FAILED', message: describe(errors) });
        continue;
      }
      try {
        await this.publish(projectId, dto);
        results.push({ index, accepted: true, topic: dto.topic });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        results.push({ index, accepted: false, error: error.code, message: error.message });
      }
    }
    const accepted = results.filter((r) => r.accepted).length;
    return { results, accepted, failed: results.length - accepted };
  }
}

function commandOf(projectId: string, dto: PublishDto): GatewayCommandValue {
  const payload = dto.encoding === 'base64' ? Buffer.from(dto.payload, 'base64') : Buffer.from(dto.payload, 'utf8');
  if (dto.encoding === 'base64' && payload.toString('base64').replace(/=+$/, '') !== dto.payload.replace(/=+$/, '')) {
    throw new PublishError('PAYLOAD_INVALID', 'payload: not valid base64', { fields: [{ field: 'payload', problems: ['is not valid base64'] }] });
  }
  if (payload.length > MAX_PAYLOAD_BYTES) {
    throw new PublishError('PAYLOAD_INVALID', `payload: larger than ${MAX_PAYLOAD_BYTES} bytes`, { fields: [{ field: 'payload', problems: [`is larger than ${MAX_PAYLOAD_BYTES} bytes`] }] });
  }
  const p = dto.properties;
  return {
    action: 'publish',
    projectId,
    message: {
      topic: dto.topic,
      payload: payload.toString('base64'),
      qos: dto.qos ?? 0,
      retain: dto.retain ?? false,
      ...(p?.contentType !== undefined ? { contentType: p.contentType } : {}),
      ...(p?.responseTopic !== undefined ? { responseTopic: p.responseTopic } : {}),
      ...(p?.correlationData !== undefined ? { correlationData: p.correlationData } : {}),
      ...(p?.userProperties !== undefined ? { userProperties: p.userProperties } : {}),
      ...(p?.messageExpiryInterval !== undefined ? { messageExpiryInterval: p.messageExpiryInterval } : {}),
    },
    requestedAt: new Date().toISOString(),
  };
}

function describe(errors: ValidationError[], parent = ''): string {
  return errors
    .flatMap((e) => {
      const field = parent ? `${parent}.${e.property}` : e.property;
      return [...(e.constraints ? [`${field}: ${Object.values(e.constraints).join(', ')}`] : []), describe(e.children ?? [], field)].filter(Boolean);
    })
    .join('; ');
}
