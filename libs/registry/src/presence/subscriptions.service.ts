import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EventPublisher } from '@iot/bus';
import { GatewayCommand } from '@iot/contracts';
import { REGISTRY_EVENTS } from '../projects/projects.service';
import { RegistryError } from '../registry.errors';
import { AddSubscriptionDto, SubscriptionDto } from './dto/subscription.dto';
import { PresenceService } from './presence.service';

/**
 * Proxy subscriptions: a device's session subscribed (or unsubscribed) on its behalf, on
 * whichever gateway node holds it — also a disconnected device's persistent session (the
 * gateway keeps them until the session ends). The list is the session's subscriptions as
 * the gateways report them, and those made here.
 */
@Injectable()
export class SubscriptionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REGISTRY_EVENTS) private readonly events: EventPublisher,
    private readonly presence: PresenceService,
  ) {}

  async list(projectId: string, deviceId: string): Promise<SubscriptionDto[]> {
    await this.presence.status(projectId, deviceId); // 404 for no such device
    const rows: { topic: string; qos: number }[] = await this.db.query(
      `SELECT topic, qos FROM device_subscriptions WHERE project_id = $1 AND device_id = $2 ORDER BY created_at, topic`,
      [projectId, deviceId],
    );
    return rows.map((r) => ({ topic: r.topic, qos: r.qos }));
  }

  async add(projectId: string, deviceId: string, dto: AddSubscriptionDto): Promise<SubscriptionDto> {
    const clientId = await this.clientOf(projectId, deviceId);
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO device_subscriptions (project_id, device_id, topic, qos) VALUES ($1, $2, $3, $4)
         ON CONFLICT (project_id, device_id, topic) DO UPDATE SET qos = EXCLUDED.qos`,
        [projectId, deviceId, dto.topic, dto.qos],
      );
      await this.events.publish(GatewayCommand, { action: 'subscribe', projectId, clientId, filter: dto.topic, qos: dto.qos, requestedAt: new Date().toISOString() });
    });
    return { topic: dto.topic, qos: dto.qos };
  }

  async remove(projectId: string, deviceId: string, topic: string): Promise<void> {
    const clientId = await this.clientOf(projectId, deviceId);
    await this.db.transaction(async (tx) => {
      const existing: unknown[] = await tx.query(`SELECT 1 FROM device_subscriptions WHERE project_id = $1 AND device_id = $2 AND topic = $3 FOR UPDATE`, [projectId, deviceId, topic]);
      if (existing.length === 0) throw new RegistryError('SUBSCRIPTION_NOT_FOUND', `device ${deviceId} is not subscribed to ${topic}`, { projectId, deviceId, topic });
      await tx.query(`DELETE FROM device_subscriptions WHERE project_id = $1 AND device_id = $2 AND topic = $3`, [projectId, deviceId, topic]);
      await this.events.publish(GatewayCommand, { action: 'unsubscribe', projectId, clientId, filter: topic, requestedAt: new Date().toISOString() });
    });
  }

  /** The client id of the device's session: it must have connected at least once. */
  private async clientOf(projectId: string, deviceId: string): Promise<string> {
    const status = await this.presence.status(projectId, deviceId);
    if (!status.clientId) throw new RegistryError('DEVICE_NEVER_CONNECTED', `device ${deviceId} has no session to subscribe: it never connected`, { projectId, deviceId });
    return status.clientId;
  }
}
