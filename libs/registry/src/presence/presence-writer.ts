import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { BusSubscription, MessageBus, consumeContract } from '@iot/bus';
import { GatewayClientEvent, GatewayClientEventValue } from '@iot/contracts';
import { ROOT_LOGGER } from '@iot/runtime';

/**
 * Keeps registry devices' presence, connection history and subscriptions from the gateways' client events
 * (one consumer group for all registry replicas). Events of clients that are no registry
 * device, and of devices deleted meanwhile, are skipped. Order-proof: `connected` replaces
 * the presence only if it is not older than the one recorded, `disconnected` applies only to
 * the connection recorded; history is unique per connection and event (at-least-once safe).
 */
@Injectable()
export class PresenceWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: BusSubscription;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly bus: MessageBus,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await consumeContract(this.bus, {
      contract: GatewayClientEvent,
      groupId: 'device-registry.presence',
      logger: this.logger.child({ component: 'presence-writer' }),
      handle: (event) => this.apply(event),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }

  async apply(event: GatewayClientEventValue): Promise<void> {
    if (event.deviceId === undefined) return;
    if (event.type === 'subscribed' || event.type === 'unsubscribed') return this.applySubscription(event);
    if (event.type !== 'connected' && event.type !== 'disconnected') return;
    const { projectId, deviceId, connectionId, clientId, node, occurredAt } = event;
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO device_connection_history (project_id, device_id, event, connection_id, client_id, node, peer_address, protocol_version, reason, occurred_at)
         SELECT $1::varchar, $2::varchar, $3::varchar, $4::varchar, $5::varchar, $6::varchar, $7::varchar, $8::smallint, $9::varchar, $10::timestamptz
          WHERE EXISTS (SELECT 1 FROM devices WHERE project_id = $1::varchar AND id = $2::varchar)
         ON CONFLICT (connection_id, event) DO NOTHING`,
        [projectId, deviceId, event.type, connectionId, clientId, node, event.peerAddress ?? null, event.protocolVersion ?? null, event.reason ?? null, occurredAt],
      );
      if (event.type === 'connected') {
        await tx.query(
          `INSERT INTO device_presence (project_id, device_id, online, connection_id, client_id, node, peer_address, protocol_version, connected_at)
           SELECT $1::varchar, $2::varchar, true, $3::varchar, $4::varchar, $5::varchar, $6::varchar, $7::smallint, $8::timestamptz
            WHERE EXISTS (SELECT 1 FROM devices WHERE project_id = $1::varchar AND id = $2::varchar)
           ON CONFLICT (project_id, device_id) DO UPDATE SET
             online = true, connection_id = EXCLUDED.connection_id, client_id = EXCLUDED.client_id, node = EXCLUDED.node,
             peer_address = EXCLUDED.peer_address, protocol_version = EXCLUDED.protocol_version, connected_at = EXCLUDED.connected_at,
             disconnected_at = NULL, disconnect_reason = NULL
           WHERE device_presence.connected_at <= EXCLUDED.connected_at`,
          [projectId, deviceId, connectionId, clientId, node, event.peerAddress ?? null, event.protocolVersion ?? null, occurredAt],
        );
        // A clean start is a new session: the old one's subscriptions are gone with it.
        if (event.cleanStart) await tx.query(`DELETE FROM device_subscriptions WHERE project_id = $1 AND device_id = $2`, [projectId, deviceId]);
      } else {
        await tx.query(
          `UPDATE device_presence SET online = false, disconnected_at = $4, disconnect_reason = $5
            WHERE project_id = $1 AND device_id = $2 AND connection_id = $3 AND online`,
          [projectId, deviceId, connectionId, occurredAt, event.reason ?? null],
        );
      }
    });
  }

  private async applySubscription(event: GatewayClientEventValue): Promise<void> {
    if (event.topic === undefined) return;
    if (event.type === 'subscribed') {
      await this.db.query(
        `INSERT INTO device_subscriptions (project_id, device_id, topic, qos)
         SELECT $1::varchar, $2::varchar, $3::varchar, $4::smallint WHERE EXISTS (SELECT 1 FROM devices WHERE project_id = $1::varchar AND id = $2::varchar)
         ON CONFLICT (project_id, device_id, topic) DO UPDATE SET qos = EXCLUDED.qos`,
        [event.projectId, event.deviceId, event.topic, event.qos ?? 0],
      );
    } else {
      await this.db.query(`DELETE FROM device_subscriptions WHERE project_id = $1 AND device_id = $2 AND topic = $3`, [event.projectId, event.deviceId, event.topic]);
    }
  }
}
