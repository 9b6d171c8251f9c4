import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { BusSubscription, EventPublisher, MessageBus, consumeRecords } from '@iot/bus';
import { CommandDeviceReplied, CommandDeviceRepliedValue, Topics, decodeDeviceMessages, parseReplyTopic } from '@iot/contracts';
import { ROOT_LOGGER } from '@iot/runtime';
import { COMMAND_EVENTS } from '../publish/publish.service';
import { ReplyWaiters } from './reply-waiters';

/**
 * Reads devices' answers (`$oc/devices/{id}/sys/.../response/request_id={id}`) from the
 * gateways' device messages — one consumer group for all instances — and completes the
 * request they answer: once, only while it is SENT, only from the device it was sent to.
 * The answer goes to the waiting HTTP request: here if this instance holds it, otherwise
 * through `command.device.replied.v1`.
 */
@Injectable()
export class DeviceReplyRouter implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: BusSubscription;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly bus: MessageBus,
    private readonly waiters: ReplyWaiters,
    @Inject(COMMAND_EVENTS) private readonly events: EventPublisher,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await consumeRecords(this.bus, {
      topic: Topics.GatewayDeviceMessageV1,
      decode: decodeDeviceMessages,
      groupId: 'command-service.device-replies',
      logger: this.logger.child({ component: 'device-reply-router' }),
      handle: async (messages) => {
        for (const { meta, payload } of messages) {
          const reply = parseReplyTopic(meta.topic);
          // A device answers for itself only (its ACL keeps it to its own $oc topics anyway).
          if (!reply || meta.deviceId !== reply.deviceId) continue;
          const body = bodyOf(payload);
          await this.route({ projectId: meta.projectId, deviceId: reply.deviceId, requestId: reply.requestId, kind: reply.kind, body: body ?? {}, ...(body ? {} : { error: 'INVALID_RESPONSE' }), receivedAt: meta.receivedAt });
        }
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }

  async route(reply: CommandDeviceRepliedValue): Promise<void> {
    const taken: unknown[] = await this.db.query(
      `UPDATE device_requests SET status = $5, error = $6, response = $7, completed_at = $8
        WHERE id = $1 AND project_id = $2 AND device_id = $3 AND kind = $4 AND status = 'SENT' RETURNING id`,
      [reply.requestId, reply.projectId, reply.deviceId, reply.kind, reply.error ? 'FAILED' : 'SUCCESSFUL', reply.error ?? null, JSON.stringify(reply.body), reply.receivedAt],
    );
    // PostgreSQL answers [rows, count] to UPDATE … RETURNING through TypeORM's query().
    const rows = Array.isArray(taken[0]) ? (taken[0] as unknown[]) : taken;
    if (rows.length === 0) {
      this.logger.debug({ requestId: reply.requestId, deviceId: reply.deviceId }, 'an answer to no waiting request (late, repeated or unknown): ignored');
      return;
    }
    if (!this.waiters.deliver(reply)) await this.events.publish(CommandDeviceReplied, reply);
  }
}

/** The answer's JSON object, or undefined when it is none. */
function bodyOf(payload: Buffer): Record<string, unknown> | undefined {
  try {
    const body: unknown = JSON.parse(payload.toString('utf8'));
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return undefined;
}
