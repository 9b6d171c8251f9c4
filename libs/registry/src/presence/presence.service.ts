import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EventPublisher } from '@iot/bus';
import { GatewayCommand } from '@iot/contracts';
import { Page, PageQuery } from '@iot/runtime';
import { DeviceEntity } from '../devices/device.entity';
import { REGISTRY_EVENTS } from '../projects/projects.service';
import { RegistryError } from '../registry.errors';
import { ConnectionEventDto, DeviceStatusDto } from './dto/presence.dto';

interface PresenceRow {
  online: boolean;
  node: string;
  client_id: string;
  connected_at: Date;
  disconnected_at: Date | null;
  peer_address: string | null;
  protocol_version: number | null;
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

/** Who is online, since when, through which node; the connection history; kicking a device. */
@Injectable()
export class PresenceService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REGISTRY_EVENTS) private readonly events: EventPublisher,
  ) {}

  async status(projectId: string, deviceId: string): Promise<DeviceStatusDto> {
    await this.requireDevice(projectId, deviceId);
    const [row]: PresenceRow[] = await this.db.query(
      `SELECT online, node, client_id, connected_at, disconnected_at, peer_address, protocol_version FROM device_presence WHERE project_id = $1 AND device_id = $2`,
      [projectId, deviceId],
    );
    if (!row) return { online: false, node: null, clientId: null, connectedAt: null, disconnectedAt: null, peerAddress: null, protocolVersion: null };
    return {
      online: row.online,
      node: row.node,
      clientId: row.client_id,
      connectedAt: iso(row.connected_at),
      disconnectedAt: iso(row.disconnected_at),
      peerAddress: row.peer_address,
      protocolVersion: row.protocol_version,
    };
  }

  async history(projectId: string, deviceId: string, query: PageQuery): Promise<Page<ConnectionEventDto>> {
    await this.requireDevice(projectId, deviceId);
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM device_connection_history WHERE project_id = $1 AND device_id = $2`, [projectId, deviceId]);
    const rows: { event: 'connected' | 'disconnected'; occurred_at: Date; client_id: string; node: string; reason: string | null; peer_address: string | null; protocol_version: number | null }[] =
      await this.db.query(
        `SELECT event, occurred_at, client_id, node, reason, peer_address, protocol_version FROM device_connection_history
          WHERE project_id = $1 AND device_id = $2 ORDER BY occurred_at DESC, id DESC LIMIT $3 OFFSET $4`,
        [projectId, deviceId, query.limit, query.offset],
      );
    const items = rows.map((r) => ({ event: r.event, occurredAt: iso(r.occurred_at)!, clientId: r.client_id, node: r.node, reason: r.reason, peerAddress: r.peer_address, protocolVersion: r.protocol_version }));
    return Page.of(items, total, query);
  }

  /** Disconnects an online device wherever it is connected (5.0: 0x98). */
  async kick(projectId: string, deviceId: string): Promise<void> {
    const status = await this.status(projectId, deviceId);
    if (!status.online || !status.clientId) throw new RegistryError('DEVICE_OFFLINE', `device ${deviceId} is not connected`, { projectId, deviceId });
    await this.events.publish(GatewayCommand, { action: 'kick', projectId, clientId: status.clientId, requestedAt: new Date().toISOString() });
  }

  private async requireDevice(projectId: string, deviceId: string): Promise<void> {
    if (!(await this.db.getRepository(DeviceEntity).existsBy({ projectId, id: deviceId }))) {
      throw new RegistryError('DEVICE_NOT_FOUND', `project ${projectId} has no device ${deviceId}`, { projectId, deviceId });
    }
  }
}
