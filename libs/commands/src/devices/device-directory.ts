import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ThingModel } from '@iot/contracts';
import { CommandError } from '../commands/command.errors';

/** What the command service needs to know of a device before it sends it anything. */
export interface DirectoryDevice {
  enabled: boolean;
  /** Whether a gateway node holds a connection of it, as the registry's presence has it. */
  online: boolean;
  /** The connection that is (or was last) online, when it ever connected. */
  connectionId?: string;
  /** Its product's thing model; undefined for a device without a product (any command goes). */
  model?: ThingModel;
}

/** The port to the device registry's knowledge of devices (STYLE rule 5). */
export abstract class DeviceDirectory {
  /** The device, or undefined when the project has no such device. */
  abstract find(projectId: string, deviceId: string): Promise<DirectoryDevice | undefined>;

  /** The device. @throws DEVICE_NOT_FOUND */
  async require(projectId: string, deviceId: string): Promise<DirectoryDevice> {
    const device = await this.find(projectId, deviceId);
    if (!device) throw new CommandError('DEVICE_NOT_FOUND', `device ${deviceId} not found in project ${projectId}`);
    return device;
  }
  /** The topic filters of the device's session (connected or parked), as the gateways reported them. */
  abstract subscriptions(projectId: string, deviceId: string): Promise<string[]>;
}

/**
 * The directory read straight from the registry's tables (devices, products, device_presence,
 * device_subscriptions)
 * in the platform's one PostgreSQL database, read-only and in one query: always as current
 * as the registry itself, in cluster and standalone mode alike. The price is that the command
 * service knows those three tables' columns; a registry view in the state store would remove
 * that coupling (see README, "Choices").
 */
@Injectable()
export class RegistryTablesDirectory extends DeviceDirectory {
  constructor(@InjectDataSource() private readonly db: DataSource) {
    super();
  }

  async find(projectId: string, deviceId: string): Promise<DirectoryDevice | undefined> {
    const [row]: { enabled: boolean; online: boolean | null; connection_id: string | null; model: ThingModel | null }[] = await this.db.query(
      `SELECT d.enabled, pr.online, pr.connection_id, p.model
         FROM devices d
         LEFT JOIN products p ON p.project_id = d.project_id AND p.id = d.product_id
         LEFT JOIN device_presence pr ON pr.project_id = d.project_id AND pr.device_id = d.id
        WHERE d.project_id = $1 AND d.id = $2`,
      [projectId, deviceId],
    );
    if (!row) return undefined;
    return { enabled: row.enabled, online: row.online === true, ...(row.connection_id ? { connectionId: row.connection_id } : {}), ...(row.model ? { model: row.model } : {}) };
  }

  async subscriptions(projectId: string, deviceId: string): Promise<string[]> {
    const rows: { topic: string }[] = await this.db.query(`SELECT topic FROM device_subscriptions WHERE project_id = $1 AND device_id = $2`, [projectId, deviceId]);
    return rows.map((r) => r.topic);
  }
}
