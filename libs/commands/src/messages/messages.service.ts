import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EventPublisher } from '@iot/bus';
import { DeviceMessageStatus, DeviceMessageStatusChanged, DeviceTopics, GatewayCommand } from '@iot/contracts';
import { topicMatches } from '@iot/mqtt-broker';
import { CommandError } from '../commands/command.errors';
import { DeviceDirectory } from '../devices/device-directory';
import { COMMAND_EVENTS } from '../publish/publish.service';
import { MESSAGE_TTL, MessageDto, SendMessageDto } from './dto/message.dto';
import { returnedRows as returned } from '../returned-rows';

interface MessageRow {
  id: string;
  name: string | null;
  content: unknown;
  topic: string;
  status: DeviceMessageStatus;
  reason: string | null;
  created_at: Date;
  expires_at: Date;
  finished_at: Date | null;
}

/** Tracking ids of device messages, in the gateway's delivered/dropped events. */
const TRACKING_PREFIX = 'msg:';
export const trackingIdOf = (messageId: string) => `${TRACKING_PREFIX}${messageId}`;
export const messageIdOfTracking = (trackingId: string) => (trackingId.startsWith(TRACKING_PREFIX) ? trackingId.slice(TRACKING_PREFIX.length) : undefined);


/**
 * Device messages (SPEC 4.10, IoTDA): kept in PostgreSQL as PENDING, sent (QoS 1, tracked)
 * to the device's topic once it is connected and subscribed to it — at once, or when it
 * connects with a persistent session or subscribes, on any node — and DELIVERED when the
 * device acknowledges it; TIMEOUT when its TTL passes first, FAILED when the gateway drops
 * it. Each connection is sent a message at most once (`sent_connection`); every status change
 * is announced on `command.message.status-changed.v1`.
 */
@Injectable()
export class MessagesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly directory: DeviceDirectory,
    @Inject(COMMAND_EVENTS) private readonly events: EventPublisher,
  ) {}

  /** @throws DEVICE_NOT_FOUND, MESSAGE_EXISTS */
  async send(projectId: string, deviceId: string, dto: SendMessageDto): Promise<MessageDto> {
    const device = await this.directory.require(projectId, deviceId);
    const id = dto.message_id ?? randomUUID();
    const topic = dto.topic !== undefined ? DeviceTopics.user(deviceId, dto.topic) : DeviceTopics.messagesDown(deviceId);
    const ttl = dto.ttl_seconds ?? MESSAGE_TTL.defaultSeconds;
    const inserted = await this.db.query(
      `INSERT INTO device_messages (project_id, device_id, id, name, content, topic, status, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, 'PENDING', now(), now() + make_interval(secs => $7))
       ON CONFLICT (project_id, device_id, id) DO NOTHING RETURNING id`,
      [projectId, deviceId, id, dto.name ?? null, JSON.stringify(dto.message ?? null), topic, ttl],
    );
    if (returned(inserted).length === 0) throw new CommandError('MESSAGE_EXISTS', `device ${deviceId} already has a message ${id}`, { message_id: id });
    await this.announce(projectId, deviceId, id, 'PENDING');
    if (device.online && device.enabled && device.connectionId) {
      await this.deliverPending(projectId, deviceId, device.connectionId, await this.directory.subscriptions(projectId, deviceId), { resend: false });
    }
    return this.get(projectId, deviceId, id);
  }

  async list(projectId: string, deviceId: string, limit = 20): Promise<MessageDto[]> {
    await this.directory.require(projectId, deviceId);
    const rows: MessageRow[] = await this.db.query(
      `SELECT id, name, content, topic, status, reason, created_at, expires_at, finished_at FROM device_messages
        WHERE project_id = $1 AND device_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
      [projectId, deviceId, limit],
    );
    return rows.map(present);
  }

  /** @throws MESSAGE_NOT_FOUND */
  async get(projectId: string, deviceId: string, messageId: string): Promise<MessageDto> {
    const [row]: MessageRow[] = await this.db.query(
      `SELECT id, name, content, topic, status, reason, created_at, expires_at, finished_at FROM device_messages WHERE project_id = $1 AND device_id = $2 AND id = $3`,
      [projectId, deviceId, messageId],
    );
    if (!row) throw new CommandError('MESSAGE_NOT_FOUND', `device ${deviceId} has no message ${messageId}`);
    return present(row);
  }

  /**
   * Sends the device, on connection `connectionId`, each pending message whose topic one of
   * `filters` covers: those never sent, and with `resend` those sent on an earlier
   * connection too — only right when the device started clean since (a resumed session still
   * holds what it was sent, and the gateway redelivers it: sending again would deliver twice).
   * The claim is one UPDATE, so instances racing for the same message send it once.
   */
  async deliverPending(projectId: string, deviceId: string, connectionId: string, filters: string[], options: { resend: boolean }): Promise<number> {
    if (filters.length === 0) return 0;
    const candidates: { id: string; topic: string }[] = await this.db.query(
      `SELECT id, topic FROM device_messages WHERE project_id = $1 AND device_id = $2 AND status = 'PENDING' AND expires_at > now()
          AND (sent_connection IS NULL OR ($4 AND sent_connection <> $3)) ORDER BY created_at, id`,
      [projectId, deviceId, connectionId, options.resend],
    );
    let sent = 0;
    for (const candidate of candidates) {
      if (!filters.some((filter) => topicMatches(filter, candidate.topic))) continue;
      const [claimed] = returned<{ name: string | null; content: unknown; expires_at: Date }>(
        await this.db.query(
          `UPDATE device_messages SET sent_at = now(), sent_connection = $4
            WHERE project_id = $1 AND device_id = $2 AND id = $3 AND status = 'PENDING' AND (sent_connection IS NULL OR ($5 AND sent_connection <> $4))
            RETURNING name, content, expires_at`,
          [projectId, deviceId, candidate.id, connectionId, options.resend],
        ),
      );
      if (!claimed) continue;
      const payload = { object_device_id: deviceId, name: claimed.name ?? undefined, id: candidate.id, content: claimed.content };
      await this.events.publish(GatewayCommand, {
        action: 'publish',
        projectId,
        message: {
          topic: candidate.topic,
          payload: Buffer.from(JSON.stringify(payload)).toString('base64'),
          qos: 1,
          retain: false,
          // Not delivered after its TTL, even from a queue of a session that was away.
          messageExpiryInterval: Math.max(1, Math.ceil((new Date(claimed.expires_at).getTime() - Date.now()) / 1000)),
          trackingId: trackingIdOf(candidate.id),
        },
        requestedAt: new Date().toISOString(),
      });
      sent++;
    }
    return sent;
  }

  /** The gateway reported the device's acknowledgement (delivered) or a drop (FAILED, with its reason). */
  async tracked(projectId: string, deviceId: string, messageId: string, outcome: { delivered: true } | { delivered: false; reason: string }): Promise<void> {
    // A drop for age is the TTL passing (the message carried its remaining TTL as its expiry).
    const status: DeviceMessageStatus = outcome.delivered ? 'DELIVERED' : outcome.reason === 'message expired' ? 'TIMEOUT' : 'FAILED';
    const reason = status === 'FAILED' && !outcome.delivered ? outcome.reason.slice(0, 500) : null;
    const changed = returned(
      await this.db.query(
        `UPDATE device_messages SET status = $4, reason = $5, finished_at = now() WHERE project_id = $1 AND device_id = $2 AND id = $3 AND status = 'PENDING' RETURNING id`,
        [projectId, deviceId, messageId, status, reason],
      ),
    );
    if (changed.length > 0) await this.announce(projectId, deviceId, messageId, status, reason ?? undefined);
  }

  /** Pending messages past their TTL become TIMEOUT; finished ones older than the retention go. */
  async sweep(retentionDays: number): Promise<number> {
    const expired = returned<{ project_id: string; device_id: string; id: string }>(
      await this.db.query(`UPDATE device_messages SET status = 'TIMEOUT', finished_at = now() WHERE status = 'PENDING' AND expires_at <= now() RETURNING project_id, device_id, id`),
    );
    for (const row of expired) await this.announce(row.project_id, row.device_id, row.id, 'TIMEOUT');
    await this.db.query(`DELETE FROM device_messages WHERE status <> 'PENDING' AND finished_at < now() - make_interval(days => $1)`, [retentionDays]);
    return expired.length;
  }

  private announce(projectId: string, deviceId: string, messageId: string, status: DeviceMessageStatus, reason?: string): Promise<void> {
    return this.events.publish(DeviceMessageStatusChanged, { projectId, deviceId, messageId, status, ...(reason ? { reason } : {}), changedAt: new Date().toISOString() });
  }
}

const iso = (at: Date | null) => (at === null ? null : new Date(at).toISOString());

function present(row: MessageRow): MessageDto {
  return {
    message_id: row.id,
    name: row.name,
    message: row.content,
    topic: row.topic,
    status: row.status,
    reason: row.reason,
    created_at: iso(row.created_at)!,
    expires_at: iso(row.expires_at)!,
    finished_at: iso(row.finished_at),
  };
}
