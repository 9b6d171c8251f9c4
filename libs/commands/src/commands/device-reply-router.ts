import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { EventPublisher } from '@iot/bus';
import { CommandDeviceReplied, CommandDeviceRepliedValue } from '@iot/contracts';
import { ROOT_LOGGER } from '@iot/runtime';
import { COMMAND_EVENTS } from '../publish/publish.service';
import { ReplyWaiters } from './reply-waiters';
import { returnedRows } from '../returned-rows';

/**
 * Completes the request a device's answer answers — once, only while it is SENT, only from
 * the device it was sent to — and hands the answer to the waiting HTTP request: here if
 * this instance holds it, otherwise through `command.device.replied.v1`.
 */
@Injectable()
export class DeviceReplyRouter {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly waiters: ReplyWaiters,
    @Inject(COMMAND_EVENTS) private readonly events: EventPublisher,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async route(reply: CommandDeviceRepliedValue): Promise<void> {
    const taken: unknown[] = await this.db.query(
      `UPDATE device_requests SET status = $5, error = $6, response = $7, completed_at = $8
        WHERE id = $1 AND project_id = $2 AND device_id = $3 AND kind = $4 AND status = 'SENT' RETURNING id`,
      [reply.requestId, reply.projectId, reply.deviceId, reply.kind, reply.error ? 'FAILED' : 'SUCCESSFUL', reply.error ?? null, JSON.stringify(reply.body), reply.receivedAt],
    );
    if (returnedRows(taken).length === 0) {
      this.logger.debug({ requestId: reply.requestId, deviceId: reply.deviceId }, 'an answer to no waiting request (late, repeated or unknown): ignored');
      return;
    }
    if (!this.waiters.deliver(reply)) await this.events.publish(CommandDeviceReplied, reply);
  }
}
